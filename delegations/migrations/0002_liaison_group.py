"""The Liaison group: staff in it publish availability and hold appointments, and may read the files they discuss.

Like the Agent and Supervisor groups of enquiries, it carries `applications.view_application`,
so an officer reads the case of an appointment through applications.access on its staff basis.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Liaison"


def liaison_group_create(apps, schema_editor):
    # On a fresh database the permissions are created after all migrations (post_migrate): make them now.
    create_permissions(global_apps.get_app_config("applications"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="applications", codename="view_application")
    )


def liaison_group_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("delegations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(liaison_group_create, liaison_group_remove)]
