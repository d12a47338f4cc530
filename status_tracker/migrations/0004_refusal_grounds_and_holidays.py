"""Seed the library of refusal grounds and the federal holidays for 2024 to 2030 (both editable in admin)."""

from django.db import migrations

HOLIDAY_YEARS = range(2024, 2031)


def load(apps, schema_editor):
    from core.calendar import holidays_load
    from status_tracker.refusal_grounds import refusal_grounds_load

    refusal_grounds_load(ground_model=apps.get_model("status_tracker", "RefusalGround"))
    holidays_load(holiday_model=apps.get_model("status_tracker", "Holiday"), years=HOLIDAY_YEARS)


class Migration(migrations.Migration):
    dependencies = [("status_tracker", "0003_upstream_api_decisions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
