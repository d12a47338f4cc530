# IdempotencyRecord now belongs to core (core/migrations/0002_idempotency_record.py), which
# keeps the same table, columns, index and constraint: nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_idempotency_record'),
        ('status_tracker', '0004_refusal_grounds_and_holidays'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='IdempotencyRecord'),
            ],
            database_operations=[],
        ),
    ]
