"""Give the lines of business their processing-time windows."""

from django.db import migrations


def load(apps, schema_editor):
    from applications.reference_data import reference_data_load

    reference_data_load(
        stage_model=apps.get_model("applications", "Stage"),
        program_model=apps.get_model("applications", "Program"),
        program_stage_model=apps.get_model("applications", "ProgramStage"),
    )


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_processing_times")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
