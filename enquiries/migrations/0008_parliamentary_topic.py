"""The queue of the offices of Members of Parliament and Senators: 10 business days, 2 when urgent."""

from django.db import migrations

CODE = "parliamentary"


def forwards(apps, schema_editor):
    Topic = apps.get_model("enquiries", "Topic")
    Topic.objects.get_or_create(
        code=CODE,
        defaults={
            "kind": "parliamentary",
            "name_en": "Parliamentary enquiries",
            "name_fr": "Demandes de renseignements parlementaires",
            "description_en": (
                "For the offices of Members of Parliament and Senators: a question about a constituent's file "
                "you hold their consent for, or about our services."
            ),
            "description_fr": (
                "Pour les bureaux des députées et députés et des sénatrices et sénateurs\u00a0: une question sur le "
                "dossier d'une personne de votre circonscription qui vous a donné son consentement, ou sur nos "
                "services."
            ),
            "service_standard_days": 10,
            # 48 hours on the business-day clock: due by the end of the second business day after receipt.
            "urgent_standard_days": 2,
            # Above the ordinary queues, below a crisis channel's tickets.
            "priority": 5,
            "position": 90,
        },
    )


def backwards(apps, schema_editor):
    Topic = apps.get_model("enquiries", "Topic")
    Topic.objects.filter(code=CODE, tickets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0007_on_behalf_and_parliamentary_queue")]

    operations = [migrations.RunPython(forwards, backwards)]
