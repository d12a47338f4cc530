"""The federal-holiday calendar, taken over from status_tracker: state only, the table keeps its name.

The content type moves with the model, so permissions already granted on holidays keep working.
"""

import core.i18n
from core.model_moves import content_types_move
from django.db import migrations, models


content_type_move, content_type_move_back = content_types_move(from_app="status_tracker", to_app="core", models=["holiday"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_idempotency_record"),
        # The table was made there.
        ("status_tracker", "0004_refusal_grounds_and_holidays"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        ("name_en", models.CharField(max_length=120, verbose_name="name (English)")),
                        ("name_fr", models.CharField(max_length=120, verbose_name="name (French)")),
                    ],
                    options={
                        "verbose_name": "holiday",
                        "verbose_name_plural": "holidays",
                        "ordering": ["date"],
                        "db_table": "status_tracker_holiday",
                    },
                    bases=(core.i18n.Bilingual, models.Model),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_move_back),
    ]
