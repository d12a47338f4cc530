"""The agent workspace: an index for the queue's default view, and agents may read the files they answer about.

Agents and supervisors read applications through applications.access on its staff
basis, which asks for the `applications.view_application` permission: the two groups
carry it, so an agent added in admin can work at once.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUPS = ("Agent", "Supervisor")


def grant_view_application(apps, schema_editor):
    # On a fresh database the permissions are created after all migrations (post_migrate): make them now.
    create_permissions(global_apps.get_app_config("applications"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="applications", codename="view_application")
    for name in GROUPS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke_view_application(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="applications", codename="view_application").first()
    if permission is not None:
        for group in Group.objects.filter(name__in=GROUPS):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_approved_next_steps"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("enquiries", "0003_client_submission_keys"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("state__in", ["new", "open", "waiting_on_client"])),
                fields=["-priority", "due_on", "id"],
                name="ticket_work_queue_idx",
            ),
        ),
        migrations.RunPython(grant_view_application, revoke_view_application),
    ]
