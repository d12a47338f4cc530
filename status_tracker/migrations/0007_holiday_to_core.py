# Holiday now belongs to core (core/migrations/0003_holiday.py) with the same table: state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_holiday"),
        ("status_tracker", "0006_idempotency_record_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Holiday")],
            database_operations=[],
        ),
    ]
