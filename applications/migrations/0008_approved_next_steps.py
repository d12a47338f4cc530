"""Give every program its next steps after approval, in both languages (one step per line).

Only empty fields are filled, so wording changed in admin is kept.
"""

from django.db import migrations

PERMANENT_RESIDENCE_EN = """Watch your account and email: we will send you a Confirmation of Permanent Residence (COPR).
If you live outside Canada, we will ask for your passport so that we can put a permanent resident visa in it.
Check that your name, date of birth and other details on the COPR are correct, and tell us at once if anything is wrong.
Become a permanent resident before your COPR expires: at the border when you arrive, or through the online confirmation if you are already in Canada.
Your permanent resident card is mailed to your address in Canada; keep your address up to date with us."""

PERMANENT_RESIDENCE_FR = """Surveillez votre compte et vos courriels : nous vous enverrons une confirmation de résidence permanente (CRP).
Si vous vivez à l'extérieur du Canada, nous vous demanderons votre passeport afin d'y apposer un visa de résident permanent.
Vérifiez que votre nom, votre date de naissance et les autres renseignements de la CRP sont exacts, et signalez-nous sans tarder toute erreur.
Devenez résident permanent avant l'expiration de votre CRP : à la frontière à votre arrivée, ou au moyen de la confirmation en ligne si vous êtes déjà au Canada.
Votre carte de résident permanent est envoyée par la poste à votre adresse au Canada; tenez votre adresse à jour auprès de nous."""

NEXT_STEPS = {
    "spouse-sponsorship": (PERMANENT_RESIDENCE_EN, PERMANENT_RESIDENCE_FR),
    "express-entry-cec": (PERMANENT_RESIDENCE_EN, PERMANENT_RESIDENCE_FR),
    "express-entry-fsw": (PERMANENT_RESIDENCE_EN, PERMANENT_RESIDENCE_FR),
    "express-entry-fst": (PERMANENT_RESIDENCE_EN, PERMANENT_RESIDENCE_FR),
    "provincial-nominee": (PERMANENT_RESIDENCE_EN, PERMANENT_RESIDENCE_FR),
    "study-permit": (
        """Read your approval letter (port of entry letter of introduction). It is not your study permit.
If you need a visitor visa or an electronic travel authorization, we issue it with this approval; check its expiry date.
When you travel, carry your passport, the approval letter, your letter of acceptance and proof that you can pay for your studies and stay.
The border officer issues your study permit when you arrive. Check that the details on it are correct before you leave the counter.
If you applied from inside Canada, your study permit is mailed to your address in Canada.""",
        """Lisez votre lettre d'approbation (lettre d'introduction au point d'entrée). Ce n'est pas votre permis d'études.
Si vous avez besoin d'un visa de visiteur ou d'une autorisation de voyage électronique, nous le délivrons avec cette approbation; vérifiez sa date d'expiration.
Lors de votre voyage, ayez avec vous votre passeport, la lettre d'approbation, votre lettre d'acceptation et la preuve que vous pouvez payer vos études et votre séjour.
L'agent des services frontaliers délivre votre permis d'études à votre arrivée. Vérifiez que les renseignements qui y figurent sont exacts avant de quitter le comptoir.
Si vous avez présenté votre demande au Canada, votre permis d'études vous est envoyé par la poste à votre adresse au Canada.""",
    ),
    "work-permit": (
        """Read your approval letter (port of entry letter of introduction). It is not your work permit.
If you need a visitor visa or an electronic travel authorization, we issue it with this approval; check its expiry date.
When you travel, carry your passport, the approval letter and your job offer or contract.
The border officer issues your work permit when you arrive. Check the employer, job and dates on it before you leave the counter.
If you applied from inside Canada, your work permit is mailed to your address in Canada.""",
        """Lisez votre lettre d'approbation (lettre d'introduction au point d'entrée). Ce n'est pas votre permis de travail.
Si vous avez besoin d'un visa de visiteur ou d'une autorisation de voyage électronique, nous le délivrons avec cette approbation; vérifiez sa date d'expiration.
Lors de votre voyage, ayez avec vous votre passeport, la lettre d'approbation et votre offre d'emploi ou votre contrat.
L'agent des services frontaliers délivre votre permis de travail à votre arrivée. Vérifiez l'employeur, l'emploi et les dates qui y figurent avant de quitter le comptoir.
Si vous avez présenté votre demande au Canada, votre permis de travail vous est envoyé par la poste à votre adresse au Canada.""",
    ),
    "visitor-visa": (
        """Send your passport to the visa application centre named in our email, so that we can put your visa in it.
When it comes back, check that your name, date of birth and the visa's expiry date are correct.
Travel to Canada before the visa expires, with the passport that holds it.
At the border, an officer decides how long you may stay; the date is stamped in your passport or written on a document.""",
        """Envoyez votre passeport au centre de réception des demandes de visa indiqué dans notre courriel, afin que nous puissions y apposer votre visa.
À son retour, vérifiez que votre nom, votre date de naissance et la date d'expiration du visa sont exacts.
Rendez-vous au Canada avant l'expiration du visa, avec le passeport dans lequel il est apposé.
À la frontière, un agent décide de la durée de votre séjour; la date est inscrite dans votre passeport ou sur un document.""",
    ),
    "pr-card": (
        """We print your card and mail it to the address on your file; keep your address up to date with us.
When it arrives, check that your details are correct and sign the card.
If it has not arrived within the time shown on your application, send us an enquiry.""",
        """Nous imprimons votre carte et l'envoyons par la poste à l'adresse inscrite à votre dossier; tenez votre adresse à jour auprès de nous.
À sa réception, vérifiez que vos renseignements sont exacts et signez la carte.
Si elle n'est pas arrivée dans le délai indiqué pour votre demande, envoyez-nous une demande de renseignements.""",
    ),
    "citizenship-grant": (
        """We will invite you to a citizenship ceremony by email; confirm that you will attend.
At the ceremony you take the Oath of Citizenship and become a Canadian citizen.
Keep your citizenship certificate in a safe place; you will need it to apply for a Canadian passport.
Return your permanent resident card as the invitation explains.""",
        """Nous vous inviterons par courriel à une cérémonie de citoyenneté; confirmez votre présence.
Lors de la cérémonie, vous prêtez le serment de citoyenneté et devenez citoyen canadien.
Conservez votre certificat de citoyenneté en lieu sûr; vous en aurez besoin pour demander un passeport canadien.
Rendez votre carte de résident permanent comme l'explique l'invitation.""",
    ),
}


def load(apps, schema_editor):
    program_model = apps.get_model("applications", "Program")
    for code, (steps_en, steps_fr) in NEXT_STEPS.items():
        program_model.objects.filter(code=code, approved_next_steps_en="").update(approved_next_steps_en=steps_en)
        program_model.objects.filter(code=code, approved_next_steps_fr="").update(approved_next_steps_fr=steps_fr)


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_event_tracking_next_steps")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
