"""French reference data as reviewed for issue 13: typography and inclusive writing."""

from django.db import migrations

from core.french_wording import french_wording_fix

FRENCH_FIELDS = {
    "Program": ["name_fr", "description_fr"],
    "Stage": ["name_fr", "explanation_fr", "client_action_fr"],
}


def french_colons_fix(apps, schema_editor):
    for model_name, fields in FRENCH_FIELDS.items():
        model = apps.get_model("applications", model_name)
        for row in model.objects.all():
            changed = []
            for name in fields:
                value = getattr(row, name)
                fixed = french_wording_fix(value)
                if fixed != value:
                    setattr(row, name, fixed)
                    changed.append(name)
            if changed:
                row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0010_grants"),
    ]

    operations = [
        migrations.RunPython(french_colons_fix, migrations.RunPython.noop),
    ]
