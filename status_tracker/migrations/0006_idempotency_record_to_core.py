# IdempotencyRecord now belongs to core (core/migrations/0002_idempotency_record.py), which
# keeps the same table, columns, index and constraint: nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_idempotency_record'),
        ('status_tracker', '0005_processing_times_move_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='IdempotencyRecord'),
            ],
            database_operations=[],
        ),
    ]
