"""The enquiry topics offered on day one, two saved replies, and the Agent and Supervisor groups."""

from django.db import migrations

# code, kind, English name, French name, English description, French description, standard, priority
TOPICS = [
    (
        "status",
        "status",
        "Status of my application",
        "Statut de ma demande",
        "Where your file is, and why it is taking the time it takes.",
        "Où en est votre dossier, et pourquoi il prend le temps qu'il prend.",
        10,
        0,
    ),
    (
        "document",
        "document",
        "A document I was asked for",
        "Un document qu'on m'a demandé",
        "Questions about a document or information we asked you to send.",
        "Questions sur un document ou des renseignements que nous vous avons demandés.",
        5,
        1,
    ),
    (
        "contact",
        "contact",
        "Change of address or contact details",
        "Changement d'adresse ou de coordonnées",
        "Tell us your new address, email or telephone number.",
        "Indiquez-nous votre nouvelle adresse, votre courriel ou votre numéro de téléphone.",
        5,
        0,
    ),
    (
        "urgent",
        "urgent",
        "Urgent processing",
        "Traitement urgent",
        "Ask for faster processing because of a serious and documented reason.",
        "Demandez un traitement plus rapide pour une raison grave et documentée.",
        3,
        2,
    ),
    (
        "technical",
        "technical",
        "A technical problem with this portal",
        "Un problème technique avec ce portail",
        "Something on this site does not work as it should.",
        "Quelque chose sur ce site ne fonctionne pas comme il le devrait.",
        5,
        0,
    ),
    (
        "other",
        "other",
        "Something else",
        "Autre chose",
        "Any other question about your application or our services.",
        "Toute autre question sur votre demande ou nos services.",
        10,
        0,
    ),
]

REPLIES = [
    (
        "status",
        "Within normal processing time",
        "Dans le délai de traitement normal",
        "Hello,\n\nYour application {number} ({program}) is at the stage \"{stage}\". "
        "It is within normal processing time: we expect a decision by {estimate_date}. "
        "You can follow each stage on your status page, and we will write to you as soon as anything changes.\n\n"
        "Client Support Centre",
        "Bonjour,\n\nVotre demande {number} ({program}) est à l'étape « {stage} ». "
        "Elle est dans le délai de traitement normal : nous prévoyons une décision d'ici le {estimate_date}. "
        "Vous pouvez suivre chaque étape sur votre page de statut, et nous vous écrirons dès qu'il y aura du nouveau.\n\n"
        "Centre de soutien à la clientèle",
    ),
    (
        "document",
        "Document received",
        "Document reçu",
        "Hello,\n\nWe received the document you sent for application {number}. "
        "An officer will review it; you do not need to send it again.\n\nClient Support Centre",
        "Bonjour,\n\nNous avons reçu le document que vous avez envoyé pour la demande {number}. "
        "Un agent l'examinera; vous n'avez pas à l'envoyer de nouveau.\n\nCentre de soutien à la clientèle",
    ),
]


def forwards(apps, schema_editor):
    Topic = apps.get_model("enquiries", "Topic")
    SavedReply = apps.get_model("enquiries", "SavedReply")
    Group = apps.get_model("auth", "Group")
    topics = {}
    for position, (code, kind, name_en, name_fr, text_en, text_fr, days, priority) in enumerate(TOPICS):
        topics[code], _ = Topic.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_en": name_en,
                "name_fr": name_fr,
                "description_en": text_en,
                "description_fr": text_fr,
                "service_standard_days": days,
                "priority": priority,
                "position": position,
            },
        )
    for code, title_en, title_fr, body_en, body_fr in REPLIES:
        SavedReply.objects.get_or_create(
            title_en=title_en,
            defaults={"title_fr": title_fr, "body_en": body_en, "body_fr": body_fr, "topic": topics[code]},
        )
    for name in ("Agent", "Supervisor"):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
