"""The demo's own wording: plain-language event messages, decision messages, refusal grounds and officer's notes."""

from applications.models import Application
from status_tracker.models import StageState

# Our own plain-language wording for a few events; the rest use the portal's default sentences.
OWN_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("completeness", StageState.WAITING_ON_CLIENT): (
        "Your application is missing a document. Please upload a copy of the identity page of your passport "
        "within 30 days so that we can continue.",
        "Il manque un document à votre demande. Veuillez téléverser une copie de la page d'identité de votre "
        "passeport dans les 30 jours pour que nous puissions poursuivre le traitement de votre dossier.",
    ),
    ("eligibility", StageState.WAITING_ON_CLIENT): (
        "The officer reviewing your file needs more information about your work history. Read the letter we "
        "sent you by email and reply by the date it gives.",
        "L'agent qui examine votre dossier a besoin de plus de renseignements sur vos antécédents professionnels. "
        "Lisez la lettre que nous vous avons envoyée par courriel et répondez avant la date indiquée.",
    ),
    ("biometrics", StageState.WAITING_ON_CLIENT): (
        "We sent you a biometrics instruction letter by email. Please give your fingerprints and photo at a "
        "collection site within 30 days.",
        "Nous vous avons envoyé par courriel une lettre d'instructions pour les données biométriques. Veuillez "
        "fournir vos empreintes digitales et votre photo dans un point de service d'ici 30 jours.",
    ),
    ("biometrics", StageState.EXEMPTED): (
        "You gave your fingerprints and photo to us in the last 10 years, so you do not need to give them again.",
        "Vous nous avez fourni vos empreintes digitales et votre photo au cours des 10 dernières années. Vous "
        "n'avez donc pas à les fournir de nouveau.",
    ),
    ("medical_exam", StageState.WAITING_ON_CLIENT): (
        "You need a medical exam. Book it with a panel physician within 30 days and bring the instructions we "
        "sent you by email.",
        "Vous devez passer un examen médical. Prenez rendez-vous avec un médecin désigné d'ici 30 jours et "
        "apportez les instructions que nous vous avons envoyées par courriel.",
    ),
    ("background_check", StageState.IN_PROGRESS): (
        "Your background check has started. It often takes several months and we may have no news for a while. "
        "This is normal and you do not need to do anything.",
        "La vérification de vos antécédents a commencé. Elle prend souvent plusieurs mois et nous n'aurons "
        "peut-être pas de nouvelles pendant un certain temps. C'est normal et vous n'avez rien à faire.",
    ),
    ("passport_request", StageState.WAITING_ON_CLIENT): (
        "Please send your passport to the visa application centre named in our email, so that we can place "
        "your visa in it.",
        "Veuillez envoyer votre passeport au centre de réception des demandes de visa indiqué dans notre "
        "courriel, afin que nous puissions y apposer votre visa.",
    ),
    ("citizenship_test", StageState.WAITING_ON_CLIENT): (
        "We invited you to take the citizenship test online. The invitation is in your email; please take the "
        "test within 30 days.",
        "Nous vous avons invité à passer l'examen pour la citoyenneté en ligne. L'invitation se trouve dans vos "
        "courriels. Veuillez passer l'examen d'ici 30 jours.",
    ),
    ("ceremony", StageState.WAITING_ON_CLIENT): (
        "Your citizenship ceremony is booked. Please confirm that you will attend with the link in our email.",
        "Votre cérémonie de citoyenneté est prévue. Veuillez confirmer votre présence au moyen du lien qui se "
        "trouve dans notre courriel.",
    ),
    ("ceremony", StageState.COMPLETED): (
        "You took the Oath of Citizenship. Welcome, and keep your citizenship certificate in a safe place.",
        "Vous avez prêté le serment de citoyenneté. Bienvenue! Conservez votre certificat de citoyenneté en lieu sûr.",
    ),
}
DECISION_WORDS = {
    Application.Outcome.APPROVED: (
        "Good news: your application is approved. We sent you a letter by email that explains the next steps.",
        "Bonne nouvelle\u00a0: votre demande est approuvée. Nous vous avons envoyé par courriel une lettre qui "
        "explique les prochaines étapes.",
    ),
    Application.Outcome.REFUSED: (
        "We refused your application. Your decision letter, in your account, explains why and what you can do "
        "next, such as applying again.",
        "Nous avons refusé votre demande. Votre lettre de décision, dans votre compte, explique pourquoi et ce "
        "que vous pouvez faire ensuite, par exemple présenter une nouvelle demande.",
    ),
}
# The refusal grounds of each program's refused demo files, from the library in status_tracker.decisions.
REFUSAL_GROUNDS_BY_PROGRAM = {
    "spouse-sponsorship": ["relationship-not-genuine"],
    "express-entry-cec": ["program-requirements"],
    "express-entry-fsw": ["program-requirements"],
    "express-entry-fst": ["program-requirements"],
    "provincial-nominee": ["program-requirements", "documents-or-biometrics-not-provided"],
    "study-permit": ["insufficient-funds", "employment-or-study-plan"],
    "work-permit": ["employment-or-study-plan"],
    "visitor-visa": ["leave-at-end-of-stay", "purpose-of-visit"],
    "pr-card": ["program-requirements"],
    "citizenship-grant": ["program-requirements"],
}
REFUSAL_NOTES = (
    "Reviewed the application, the supporting documents and the applicant's replies.\n"
    "The requirements set out in the grounds listed were not met on the evidence provided.\n"
    "Application refused."
)
# The demo applicant's refused visitor visa: notes as an officer writes them, with what was withheld.
DEMO_REFUSED_GROUNDS = ["insufficient-funds", "leave-at-end-of-stay"]
DEMO_REFUSED_NOTES = """PA, 28, single, no dependants. Applying for a TRV to visit Canada for 4 weeks to attend a friend's
wedding in Montréal and see former classmates.
Previously held a study permit in Canada; complied with its conditions.
Employment: letter from employer in Beirut, hired [REDACTED]. Letter does not confirm approved leave or
that the position will be held on return.
Funds: bank statement shows a lump-sum deposit of [REDACTED] two weeks before the application; source not
explained. Balance before the deposit insufficient for the stated trip.
Information from partner agency: ████████████████

Weighing all factors, I am not satisfied that the PA has the means for the trip or that she will leave
Canada at the end of the authorized stay (R179(b)).
Application refused."""
