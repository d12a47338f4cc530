"""What people write in the demo enquiries, in English and in French: clients' questions, agents' answers and notes.

Every text is a pair (English, French) with placeholders filled from the application concerned:
{name} and {full_name} (the client), {number}, {program}, {stage} (the stage the file was at), {submitted},
{decided} (dates), {agent} (the agent's first name). A text is only used when every placeholder it names is
known for that ticket, so a question about the current stage is never asked about a file without one.
"""

Pair = tuple[str, str]

CLIENT_GREETINGS: list[Pair] = [
    ("Hello,", "Bonjour,"),
    ("Hi,", "Bonjour,"),
    ("Good morning,", "Bonjour,"),
    ("Dear Client Support Centre,", "Madame, Monsieur,"),
    ("", ""),
]
CLIENT_SIGN_OFFS: list[Pair] = [
    ("Thank you,\n{full_name}", "Merci,\n{full_name}"),
    ("Regards,\n{full_name}", "Cordialement,\n{full_name}"),
    ("Thanks in advance.\n{name}", "Merci à l'avance.\n{name}"),
    ("Best regards,\n{full_name}", "Meilleures salutations,\n{full_name}"),
    ("{name}", "{name}"),
]
AGENT_SIGN_OFF: Pair = (
    "{agent}\nClient Support Centre",
    "{agent}\nCentre de soutien à la clientèle",
)

# Per topic: "ask" (the client's first message about a file), "ask_no_file" (no application chosen),
# "request" (the agent asks for something and the clock pauses), "reply" (the client's answer to it),
# "answer" (the agent's answer about a file) and "answer_no_file".
TOPIC_WORDS: dict[str, dict[str, list[Pair]]] = {
    "status": {
        "ask": [
            (
                "I applied on {submitted} (application {number}, {program}) and I have not heard anything "
                "for weeks. Can you tell me where my file is?",
                "J'ai présenté ma demande le {submitted} (demande {number}, {program}) et je n'ai aucune "
                "nouvelle depuis des semaines. Pouvez-vous me dire où en est mon dossier?",
            ),
            (
                'My status page says my file {number} is at the stage "{stage}". How much longer will this take?',
                "Ma page de statut indique que mon dossier {number} est à l'étape « {stage} ». Combien de temps "
                "cela prendra-t-il encore?",
            ),
            (
                'Application {number} has been at "{stage}" for a long time. Is something missing from my file?',
                "La demande {number} est à l'étape « {stage} » depuis longtemps. Manque-t-il quelque chose dans "
                "mon dossier?",
            ),
            (
                "I need to book flights for my family. Could you give me an idea of when a decision on {number} "
                "will be made?",
                "Je dois réserver des billets d'avion pour ma famille. Pouvez-vous me donner une idée du moment "
                "où une décision sera rendue sur la demande {number}?",
            ),
            (
                "My friend applied after me and already got an answer. Why is my application {number} slower?",
                "Mon ami a présenté sa demande après moi et a déjà reçu une réponse. Pourquoi ma demande {number} "
                "avance-t-elle plus lentement?",
            ),
            (
                "Is my application still being processed ({program})? The last update on my page is from a while "
                "ago. Number: {number}.",
                "Ma demande est-elle toujours en traitement ({program})? La dernière mise à jour sur ma page date "
                "d'un bon moment. Numéro : {number}.",
            ),
            (
                "My employer is asking when I can start. Can you confirm that file {number} is moving forward?",
                "Mon employeur me demande quand je pourrai commencer. Pouvez-vous confirmer que le dossier "
                "{number} progresse?",
            ),
            (
                'I submitted everything on {submitted}. The page shows "{stage}" but I do not understand what '
                "happens at this stage. Could you explain?",
                "J'ai tout envoyé le {submitted}. La page indique « {stage} », mais je ne comprends pas ce qui "
                "se passe à cette étape. Pouvez-vous m'expliquer?",
            ),
            (
                "Could you check whether my biometrics were received for {number}? Nothing has changed since.",
                "Pouvez-vous vérifier si mes données biométriques ont été reçues pour la demande {number}? Rien "
                "n'a changé depuis.",
            ),
            (
                "It has been a long time since {submitted}. Is my application {number} outside the normal "
                "processing time now?",
                "Beaucoup de temps a passé depuis le {submitted}. Ma demande {number} est-elle maintenant hors du "
                "délai de traitement normal?",
            ),
        ],
        "ask_decided": [
            (
                "My page says a decision was made on {decided} for {number}, but I have not received any letter. "
                "When will it arrive?",
                "Ma page indique qu'une décision a été rendue le {decided} pour la demande {number}, mais je n'ai "
                "reçu aucune lettre. Quand arrivera-t-elle?",
            ),
            (
                "I saw the decision on {number}. What are the next steps for me now?",
                "J'ai vu la décision sur la demande {number}. Quelles sont les prochaines étapes pour moi?",
            ),
            (
                "The decision on my application ({program}) came on {decided}. Do I need to send my passport somewhere?",
                "La décision sur ma demande ({program}) a été rendue le {decided}. Dois-je envoyer mon passeport "
                "quelque part?",
            ),
        ],
        "ask_no_file": [
            (
                "I applied on paper a few weeks ago and I do not have an application number yet. How can I "
                "follow my file?",
                "J'ai présenté une demande sur papier il y a quelques semaines et je n'ai pas encore de numéro de "
                "demande. Comment puis-je suivre mon dossier?",
            ),
            (
                "I sent my application by mail but I cannot find it on this portal. Did you receive it?",
                "J'ai envoyé ma demande par la poste, mais je ne la trouve pas dans ce portail. L'avez-vous reçue?",
            ),
            (
                "How long does it usually take before an application shows up here after it is sent?",
                "Combien de temps faut-il habituellement avant qu'une demande apparaisse ici après son envoi?",
            ),
        ],
        "request": [
            (
                "To look into this, could you confirm your date of birth and the address you gave in the application?",
                "Pour vérifier, pourriez-vous confirmer votre date de naissance et l'adresse indiquée dans la demande?",
            ),
            (
                "Could you tell us the date of your biometrics appointment and where it took place?",
                "Pourriez-vous nous indiquer la date de votre rendez-vous pour les données biométriques et "
                "l'endroit où il a eu lieu?",
            ),
            (
                "Could you send us a copy of the letter you mention so we can see which request it answers?",
                "Pourriez-vous nous envoyer une copie de la lettre dont vous parlez, afin que nous voyions à "
                "quelle demande elle répond?",
            ),
        ],
        "answer": [
            (
                'Your application {number} is at the stage "{stage}". It is still within normal processing '
                "time for this program ({program}), and nothing is missing from your file. You will see every change on your "
                "status page, and we will write to you as soon as there is news.",
                "Votre demande {number} est à l'étape « {stage} ». Elle est toujours dans le délai de traitement "
                "normal pour ce programme ({program}), et rien ne manque à votre dossier. Vous verrez chaque "
                "changement sur votre page de statut, et nous vous écrirons dès qu'il y aura du nouveau.",
            ),
            (
                'I checked file {number}. The officer is working on the stage "{stage}"; this stage has no '
                "fixed length, but your file is not waiting on you. There is nothing you need to do for now.",
                "J'ai vérifié le dossier {number}. L'agent travaille à l'étape « {stage} »; cette étape n'a pas "
                "de durée fixe, mais votre dossier n'attend rien de vous. Vous n'avez rien à faire pour l'instant.",
            ),
            (
                "Thank you for your patience. Application {number}, received on {submitted}, is being processed "
                "in order. Files like yours currently take longer than usual; your status page shows the date "
                "from which yours would be outside normal processing time.",
                "Merci de votre patience. La demande {number}, reçue le {submitted}, est traitée dans l'ordre. "
                "Les dossiers comme le vôtre prennent actuellement plus de temps que d'habitude; votre page de "
                "statut indique la date à partir de laquelle le vôtre serait hors du délai normal.",
            ),
            (
                "Your application {number} ({program}) is complete and moving forward. We cannot give an exact "
                "date for the decision, and we advise you not to book travel until you have it.",
                "Votre demande {number} ({program}) est complète et progresse. Nous ne pouvons pas donner de date "
                "exacte pour la décision, et nous vous conseillons de ne pas réserver de voyage avant de l'avoir "
                "reçue.",
            ),
            (
                "Files are not always processed in the order people apply: each one needs different checks. "
                'Yours ({number}) is at "{stage}" and nothing is missing.',
                "Les dossiers ne sont pas toujours traités dans l'ordre où les demandes sont présentées : chacun "
                "exige des vérifications différentes. Le vôtre ({number}) est à l'étape « {stage} » et rien n'y "
                "manque.",
            ),
            (
                "I asked the processing office about file {number}. They confirm it is active and that an officer "
                "will review it soon. You do not need to send anything else.",
                "J'ai communiqué avec le bureau de traitement au sujet du dossier {number}. On me confirme qu'il "
                "est actif et qu'un agent l'examinera bientôt. Vous n'avez rien d'autre à envoyer.",
            ),
        ],
        "answer_decided": [
            (
                "A decision on {number} was made on {decided}. The letter is sent to the address on your file "
                "and is also in your account. If you moved, please tell us your new address through this form.",
                "Une décision sur la demande {number} a été rendue le {decided}. La lettre est envoyée à "
                "l'adresse inscrite à votre dossier et se trouve aussi dans votre compte. Si vous avez déménagé, "
                "indiquez-nous votre nouvelle adresse au moyen de ce formulaire.",
            ),
            (
                "Your file {number} is closed since {decided}. The decision letter explains the next steps; if "
                "anything in it is unclear, reply here and we will explain.",
                "Votre dossier {number} est fermé depuis le {decided}. La lettre de décision explique les "
                "prochaines étapes; si un point n'est pas clair, répondez ici et nous vous l'expliquerons.",
            ),
        ],
        "answer_no_file": [
            (
                "Paper applications take about two to four weeks to be entered after they arrive. You will "
                "receive a letter with your application number; you can then link it to your account.",
                "Les demandes sur papier sont saisies de deux à quatre semaines après leur arrivée. Vous recevrez "
                "une lettre avec votre numéro de demande; vous pourrez ensuite la lier à votre compte.",
            ),
            (
                "We could not find a file with the details you gave. Once you have your application number, "
                'use "Link an application" and it will appear here.',
                "Nous n'avons trouvé aucun dossier avec les renseignements fournis. Lorsque vous aurez votre "
                "numéro de demande, utilisez « Lier une demande » et elle apparaîtra ici.",
            ),
        ],
    },
    "document": {
        "ask": [
            (
                "I received a request for documents for application {number}, but I do not understand which "
                "police certificate you need. Can you explain?",
                "J'ai reçu une demande de documents pour la demande {number}, mais je ne comprends pas quel "
                "certificat de police vous voulez. Pouvez-vous m'expliquer?",
            ),
            (
                "I uploaded my passport pages for {number} last week. Can you confirm that you received them?",
                "J'ai téléversé les pages de mon passeport pour la demande {number} la semaine dernière. "
                "Pouvez-vous confirmer que vous les avez reçues?",
            ),
            (
                "The letter gives me 30 days to send my medical results, but the clinic cannot see me before next "
                "month. Can I have more time for {number}?",
                "La lettre me donne 30 jours pour envoyer mes résultats médicaux, mais la clinique ne peut pas me "
                "recevoir avant le mois prochain. Puis-je avoir plus de temps pour la demande {number}?",
            ),
            (
                "My bank statement is in Spanish. Do I need a certified translation for file {number}?",
                "Mon relevé bancaire est en espagnol. Ai-je besoin d'une traduction certifiée pour le dossier "
                "{number}?",
            ),
            (
                'The status page says you are waiting on me at "{stage}". What exactly should I send?',
                "La page de statut indique que vous attendez quelque chose de moi à l'étape « {stage} ». Que "
                "dois-je envoyer exactement?",
            ),
            (
                "I sent the wrong version of my employment letter for {number}. Can I replace it?",
                "J'ai envoyé la mauvaise version de ma lettre d'emploi pour la demande {number}. Puis-je la remplacer?",
            ),
            (
                "The police in my country take three months to issue a certificate. What should I do about "
                "application {number}?",
                "Dans mon pays, la police met trois mois à délivrer un certificat. Que dois-je faire pour la "
                "demande {number}?",
            ),
            (
                "I sent the documents by mail for {number} because the upload did not work. Will they be added to "
                "my file?",
                "J'ai envoyé les documents par la poste pour la demande {number}, car le téléversement ne "
                "fonctionnait pas. Seront-ils ajoutés à mon dossier?",
            ),
        ],
        "ask_no_file": [
            (
                "Which documents do I need to prepare before I apply for a work permit?",
                "Quels documents dois-je préparer avant de demander un permis de travail?",
            ),
        ],
        "request": [
            (
                "The copy you sent is hard to read. Could you send a clearer scan of every page, in colour if "
                "possible?",
                "La copie envoyée est difficile à lire. Pourriez-vous envoyer une numérisation plus claire de "
                "chaque page, en couleur si possible?",
            ),
            (
                "Could you send the receipt from the police, showing the date you asked for the certificate? "
                "The officer can then wait for it.",
                "Pourriez-vous envoyer le reçu du service de police indiquant la date à laquelle vous avez "
                "demandé le certificat? L'agent pourra alors l'attendre.",
            ),
            (
                "Could you send the letter from the clinic with your appointment date?",
                "Pourriez-vous envoyer la lettre de la clinique indiquant la date de votre rendez-vous?",
            ),
            (
                "Please send the translation together with the translator's declaration.",
                "Veuillez envoyer la traduction avec la déclaration du traducteur.",
            ),
        ],
        "answer": [
            (
                "We received your documents for application {number} and added them to your file. An officer "
                "will review them; you do not need to send them again.",
                "Nous avons reçu vos documents pour la demande {number} et les avons ajoutés à votre dossier. Un "
                "agent les examinera; vous n'avez pas à les renvoyer.",
            ),
            (
                "I noted on file {number} that your documents will arrive late and why. The officer will wait "
                "for them before going further.",
                "J'ai noté au dossier {number} que vos documents arriveront en retard, et pourquoi. L'agent les "
                "attendra avant d'aller plus loin.",
            ),
            (
                "Yes, documents in a language other than English or French need a certified translation. Send the "
                'translation and the original together with the "Send documents" button on your status page.',
                "Oui, les documents dans une autre langue que le français ou l'anglais doivent être accompagnés "
                "d'une traduction certifiée. Envoyez la traduction et l'original ensemble avec le bouton « Envoyer "
                "des documents » de votre page de statut.",
            ),
            (
                'You can replace a document: send the right one with "Send documents" for the same request and '
                "write in the message that it replaces the earlier one. I added a note to {number} as well.",
                "Vous pouvez remplacer un document : envoyez le bon avec « Envoyer des documents » pour la même "
                "demande et précisez dans le message qu'il remplace le précédent. J'ai aussi ajouté une note au "
                "dossier {number}.",
            ),
            (
                "The officer asks for a police certificate from every country where you lived six months or more "
                "since age 18. The request on your status page lists them for file {number}.",
                "L'agent demande un certificat de police de chaque pays où vous avez vécu six mois ou plus depuis "
                "l'âge de 18 ans. La demande affichée sur votre page de statut les énumère pour le dossier "
                "{number}.",
            ),
            (
                "Your extension is granted: the officer will wait 30 more days for the documents for {number}.",
                "Votre prolongation est accordée : l'agent attendra 30 jours de plus les documents pour la demande "
                "{number}.",
            ),
        ],
        "answer_no_file": [
            (
                "The documents depend on the program; each program's page lists them. Once you have applied, any "
                "extra request will show on your status page.",
                "Les documents dépendent du programme; la page de chaque programme en donne la liste. Une fois "
                "votre demande présentée, toute demande supplémentaire paraîtra sur votre page de statut.",
            ),
        ],
    },
    "contact": {
        "ask": [
            (
                "I moved. Please update the address on application {number}. My new address is in the attached lease.",
                "J'ai déménagé. Veuillez mettre à jour l'adresse de la demande {number}. Ma nouvelle adresse figure "
                "dans le bail joint.",
            ),
            (
                "I have a new phone number. Can you change it on file {number}?",
                "J'ai un nouveau numéro de téléphone. Pouvez-vous le changer au dossier {number}?",
            ),
            (
                "My email changed; I no longer have access to the old one. Please use this address for {number}.",
                "Mon courriel a changé et je n'ai plus accès à l'ancien. Veuillez utiliser cette adresse pour la "
                "demande {number}.",
            ),
            (
                "We moved to another province while application {number} is in process. Does this change anything?",
                "Nous avons déménagé dans une autre province pendant le traitement de la demande {number}. Est-ce "
                "que cela change quelque chose?",
            ),
            (
                "I got married and changed my family name. How do I update it on file {number}?",
                "Je me suis marié et j'ai changé de nom de famille. Comment le mettre à jour au dossier {number}?",
            ),
            (
                "Please send all letters for {number} to my representative from now on. Her details are below.",
                "Veuillez désormais envoyer toutes les lettres concernant la demande {number} à ma représentante. "
                "Ses coordonnées figurent ci-dessous.",
            ),
        ],
        "ask_no_file": [
            (
                "How do I change the email address of my account?",
                "Comment changer l'adresse courriel de mon compte?",
            ),
        ],
        "request": [
            (
                "To change the address on your file we need proof of it: a lease, a utility bill or a bank "
                "letter with your name. Could you send one?",
                "Pour changer l'adresse à votre dossier, il nous faut une preuve : un bail, une facture de "
                "services publics ou une lettre de votre banque à votre nom. Pourriez-vous en envoyer une?",
            ),
            (
                "Could you send a copy of your marriage certificate and of an identity document in your new name?",
                "Pourriez-vous envoyer une copie de votre certificat de mariage et d'une pièce d'identité à votre "
                "nouveau nom?",
            ),
            (
                "We need the representative form signed by you and by your representative. Could you send it?",
                "Il nous faut le formulaire de recours aux services d'un représentant signé par vous et par votre "
                "représentante. Pourriez-vous l'envoyer?",
            ),
        ],
        "answer": [
            (
                "The address on application {number} is updated. Letters from now on will go to the new address.",
                "L'adresse de la demande {number} est mise à jour. Les lettres seront désormais envoyées à la "
                "nouvelle adresse.",
            ),
            (
                "Done: file {number} now has your new telephone number.",
                "C'est fait : le dossier {number} contient maintenant votre nouveau numéro de téléphone.",
            ),
            (
                "Your contact email for {number} is changed. Notices about the file will go to this address.",
                "Votre courriel de contact pour la demande {number} est changé. Les avis concernant le dossier "
                "seront envoyés à cette adresse.",
            ),
            (
                "Moving to another province does not stop the processing of your application ({program}). I updated file "
                "{number}; the processing office stays the same.",
                "Un déménagement dans une autre province n'interrompt pas le traitement de votre demande "
                "({program}). J'ai mis à jour le dossier {number}; le bureau de traitement reste le même.",
            ),
            (
                "Your name is updated on {number}. Any document issued from now on will show it.",
                "Votre nom est mis à jour au dossier {number}. Tout document délivré à partir de maintenant "
                "l'indiquera.",
            ),
            (
                "Your representative is now recorded on file {number}; we will write to her as well.",
                "Votre représentante est maintenant inscrite au dossier {number}; nous lui écrirons également.",
            ),
        ],
        "answer_no_file": [
            (
                'You can change your account\'s email under "Account", then "Email addresses". You will get a '
                "confirmation link at the new address.",
                "Vous pouvez changer le courriel de votre compte sous « Compte », puis « Adresses courriel ». Vous "
                "recevrez un lien de confirmation à la nouvelle adresse.",
            ),
        ],
    },
    "urgent": {
        "ask": [
            (
                "My father is very ill and I need to travel urgently. Can application {number} be processed "
                "faster? I attached the doctor's letter.",
                "Mon père est très malade et je dois voyager d'urgence. La demande {number} peut-elle être "
                "traitée plus rapidement? J'ai joint la lettre du médecin.",
            ),
            (
                "My job offer will be withdrawn if I cannot start next month. Is urgent processing possible for "
                "{number}?",
                "On retirera mon offre d'emploi si je ne peux pas commencer le mois prochain. Un traitement "
                "urgent est-il possible pour la demande {number}?",
            ),
            (
                "My current status expires in two weeks and my application {number} ({program}) is not decided. What can I do?",
                "Mon statut actuel expire dans deux semaines et ma demande {number} ({program}) n'est pas "
                "décidée. Que puis-je faire?",
            ),
            (
                "There was a death in the family abroad and the funeral is on Saturday. Please help with {number}.",
                "Il y a eu un décès dans ma famille à l'étranger et les funérailles ont lieu samedi. Aidez-moi "
                "pour la demande {number}, s'il vous plaît.",
            ),
            (
                "My classes start on the 5th and I still have no decision on my study permit {number}.",
                "Mes cours commencent le 5 et je n'ai toujours pas de décision sur mon permis d'études {number}.",
            ),
        ],
        "request": [
            (
                "To ask for urgent processing we need proof of the reason: a medical letter, a death certificate "
                "or a letter from your employer. Could you send it?",
                "Pour demander un traitement urgent, il nous faut une preuve du motif : une lettre médicale, un "
                "certificat de décès ou une lettre de votre employeur. Pourriez-vous l'envoyer?",
            ),
            (
                "Could you send your travel booking and the letter you mention?",
                "Pourriez-vous envoyer votre réservation de voyage et la lettre dont vous parlez?",
            ),
        ],
        "answer": [
            (
                "I sent your request and the documents to the office processing {number}. It is now marked "
                "urgent; the officer will look at it within a few days.",
                "J'ai transmis votre demande et les documents au bureau qui traite le dossier {number}. Il est "
                "maintenant marqué comme urgent; l'agent l'examinera d'ici quelques jours.",
            ),
            (
                "We looked at your request. The reason given does not meet the criteria for urgent processing, "
                "so file {number} keeps its place. Nothing is missing from it.",
                "Nous avons examiné votre demande. Le motif invoqué ne répond pas aux critères de traitement "
                "urgent; le dossier {number} garde donc sa place. Rien n'y manque.",
            ),
            (
                "Since you applied before your status expired, you may stay in Canada under the same conditions "
                "until a decision on {number} is made (maintained status). Keep proof of your application with "
                "you.",
                "Comme vous avez présenté votre demande avant l'expiration de votre statut, vous pouvez rester "
                "au Canada aux mêmes conditions jusqu'à ce qu'une décision soit rendue sur la demande {number} "
                "(maintien du statut). Gardez une preuve de votre demande avec vous.",
            ),
            (
                "Your file {number} was moved ahead because of the documented reason. You will see the next "
                "steps on your status page.",
                "Votre dossier {number} a été traité en priorité en raison du motif documenté. Vous verrez les "
                "prochaines étapes sur votre page de statut.",
            ),
        ],
    },
    "technical": {
        "ask": [
            (
                "The upload button gives me an error when I send my PDF for {number}.",
                "Le bouton de téléversement affiche une erreur quand j'envoie mon PDF pour la demande {number}.",
            ),
            (
                "I cannot link my application {number}: the page says the details do not match, but I copied "
                "them from my letter.",
                "Je n'arrive pas à lier ma demande {number} : la page indique que les renseignements ne "
                "correspondent pas, mais je les ai copiés de ma lettre.",
            ),
            (
                "My status page for {number} shows an old date. Is the page up to date?",
                "Ma page de statut pour la demande {number} affiche une vieille date. La page est-elle à jour?",
            ),
        ],
        "ask_no_file": [
            (
                "I never receive the confirmation email when I create an account.",
                "Je ne reçois jamais le courriel de confirmation quand je crée un compte.",
            ),
            (
                "The page does not load on my phone; it stays blank after I sign in.",
                "La page ne se charge pas sur mon téléphone; elle reste vide après la connexion.",
            ),
            (
                "I lost the phone with my authenticator app and cannot sign in any more.",
                "J'ai perdu le téléphone où se trouvait mon application d'authentification et je ne peux plus "
                "me connecter.",
            ),
            (
                "The site says my account is locked after I tried to link a file several times.",
                "Le site indique que mon compte est verrouillé après plusieurs tentatives pour lier un dossier.",
            ),
            (
                "The French page shows some text in English.",
                "La page en français affiche du texte en anglais.",
            ),
        ],
        "request": [
            (
                "Could you tell us which browser and device you use, and send a screenshot of the message?",
                "Pourriez-vous nous indiquer le navigateur et l'appareil que vous utilisez, et envoyer une "
                "capture d'écran du message?",
            ),
            (
                "What is the size of the file you are trying to send, and is it protected by a password?",
                "Quelle est la taille du fichier que vous essayez d'envoyer, et est-il protégé par un mot de passe?",
            ),
        ],
        "answer": [
            (
                "Files must be PDF, JPEG or PNG, at most 10 MB each, and PDFs cannot be password-protected. "
                "Saving the file again without the password should let you send it for {number}.",
                "Les fichiers doivent être en format PDF, JPEG ou PNG, d'au plus 10 Mo chacun, et les PDF ne "
                "doivent pas être protégés par un mot de passe. Enregistrez de nouveau le fichier sans mot de "
                "passe et vous pourrez l'envoyer pour la demande {number}.",
            ),
            (
                "The link form compares the details exactly as they are on file. After five tries it pauses "
                "for 24 hours; try again tomorrow with the UCI printed on your letter for {number}.",
                "Le formulaire de liaison compare les renseignements tels qu'ils figurent au dossier. Après cinq "
                "essais, il s'interrompt pendant 24 heures; réessayez demain avec l'IUC inscrit sur votre lettre "
                "pour la demande {number}.",
            ),
            (
                "The page is up to date: it shows the last change on file {number}, and nothing has changed since.",
                "La page est à jour : elle affiche le dernier changement au dossier {number}, et rien n'a changé "
                "depuis.",
            ),
        ],
        "answer_no_file": [
            (
                "Confirmation emails sometimes land in the junk folder. I sent a new link to your address; it is "
                "valid for three days.",
                "Les courriels de confirmation arrivent parfois dans les courriels indésirables. Je vous ai "
                "envoyé un nouveau lien, valide trois jours.",
            ),
            (
                "Thank you for telling us. Our team found the cause and fixed it; please try again.",
                "Merci de nous l'avoir signalé. Notre équipe a trouvé la cause et l'a corrigée; veuillez réessayer.",
            ),
            (
                "Sign in with one of your recovery codes, then set up the authenticator on your new phone. If "
                "you no longer have the codes, reply and we will check your identity another way.",
                "Connectez-vous avec l'un de vos codes de récupération, puis configurez l'authentification sur "
                "votre nouveau téléphone. Si vous n'avez plus les codes, répondez-nous et nous vérifierons votre "
                "identité autrement.",
            ),
            (
                "The lock ends by itself after 24 hours. Your account itself is fine.",
                "Le verrouillage prend fin de lui-même après 24 heures. Votre compte, lui, fonctionne normalement.",
            ),
        ],
    },
    "other": {
        "ask": [
            (
                "Can I travel outside Canada while my application {number} ({program}) is being processed?",
                "Puis-je voyager à l'extérieur du Canada pendant le traitement de ma demande {number} ({program})?",
            ),
            (
                "I want to withdraw application {number}. How do I do that?",
                "Je veux retirer la demande {number}. Comment dois-je procéder?",
            ),
            (
                "Can I add my newborn child to my application {number}?",
                "Puis-je ajouter mon nouveau-né à ma demande {number}?",
            ),
            (
                "Will I get a refund of the fees if application {number} is refused?",
                "Serai-je remboursé des frais si la demande {number} est refusée?",
            ),
            (
                "I would like a copy of everything in my file {number}.",
                "J'aimerais obtenir une copie de tout ce que contient mon dossier {number}.",
            ),
        ],
        "ask_no_file": [
            (
                "Can my cousin visit me while I am waiting for my own permit?",
                "Mon cousin peut-il me rendre visite pendant que j'attends mon propre permis?",
            ),
            (
                "Is there an office where I can ask my questions in person?",
                "Existe-t-il un bureau où je peux poser mes questions en personne?",
            ),
            (
                "How can I pay the fees if I do not have a credit card?",
                "Comment puis-je payer les frais si je n'ai pas de carte de crédit?",
            ),
        ],
        "request": [
            (
                "Could you tell us the dates of your trip and the country you will visit?",
                "Pourriez-vous nous indiquer les dates de votre voyage et le pays où vous irez?",
            ),
            (
                "Could you send the child's birth certificate?",
                "Pourriez-vous envoyer l'acte de naissance de l'enfant?",
            ),
        ],
        "answer": [
            (
                "You may travel, but if the officer asks for something while you are away the deadline still "
                "applies. Keep an eye on your status page for {number}.",
                "Vous pouvez voyager, mais si l'agent vous demande quelque chose pendant votre absence, le délai "
                "s'applique quand même. Surveillez votre page de statut pour la demande {number}.",
            ),
            (
                "To withdraw application {number}, reply here to confirm that you want to; the file will then "
                "be closed. Fees are not refunded once processing has started.",
                "Pour retirer la demande {number}, répondez ici pour confirmer que vous le souhaitez; le dossier "
                "sera alors fermé. Les frais ne sont pas remboursés une fois le traitement commencé.",
            ),
            (
                "Yes: I added your child to file {number}. You will receive a request for the child's documents.",
                "Oui : j'ai ajouté votre enfant au dossier {number}. Vous recevrez une demande pour les documents "
                "de l'enfant.",
            ),
            (
                "Processing fees are not refunded after a decision, whatever it is. The right of permanent "
                "residence fee is refunded if it was paid and the application is refused.",
                "Les frais de traitement ne sont pas remboursés après une décision, quelle qu'elle soit. Les "
                "frais relatifs au droit de résidence permanente sont remboursés s'ils ont été payés et que la "
                "demande est refusée.",
            ),
            (
                "You can ask for a copy of your file through an access to information request; the form asks "
                "for the number, {number}.",
                "Vous pouvez demander une copie de votre dossier au moyen d'une demande d'accès à l'information; "
                "le formulaire demande le numéro, {number}.",
            ),
        ],
        "answer_no_file": [
            (
                "Yes, your cousin can apply for a visitor visa on his own; your application does not change his.",
                "Oui, votre cousin peut demander un visa de visiteur de son côté; votre demande n'a pas "
                "d'incidence sur la sienne.",
            ),
            (
                "We answer questions in writing only, here, in English or French; there is no counter for enquiries.",
                "Nous répondons aux questions par écrit seulement, ici, en français ou en anglais; il n'y a pas "
                "de comptoir pour les demandes de renseignements.",
            ),
            (
                "You can pay with a debit card or a prepaid card; the payment page lists them.",
                "Vous pouvez payer par carte de débit ou par carte prépayée; la page de paiement en donne la liste.",
            ),
        ],
    },
    "crisis": {
        "ask": [
            (
                "We were evacuated because of the wildfires and my documents for {number} stayed in the house. "
                "What should I do?",
                "Nous avons été évacués à cause des feux de forêt et mes documents pour la demande {number} sont "
                "restés dans la maison. Que dois-je faire?",
            ),
            (
                "My biometrics appointment is tomorrow but the road is closed because of the wildfire. Application "
                "{number}.",
                "Mon rendez-vous pour les données biométriques est demain, mais la route est fermée à cause des "
                "feux de forêt. Demande {number}.",
            ),
            (
                "My work permit ends soon and my employer's plant burned in the wildfire. Can I stay while {number} "
                "is decided?",
                "Mon permis de travail arrive à échéance et l'usine de mon employeur a brûlé dans les feux de forêt. "
                "Puis-je rester "
                "pendant qu'on décide de la demande {number}?",
            ),
            (
                "We left because of the wildfire and are staying with family in another town, with no mail. Please "
                "write to this email for {number}.",
                "Nous sommes partis à cause des feux de forêt et sommes hébergés chez de la famille dans une autre "
                "ville, sans courrier. "
                "Veuillez écrire à ce courriel pour la demande {number}.",
            ),
            (
                "The officer asked for documents for {number} but the wildfire keeps us from going home. Can you "
                "give us more time?",
                "L'agent a demandé des documents pour la demande {number}, mais les feux de forêt nous empêchent de "
                "rentrer chez nous. Pouvez-vous nous donner plus de temps?",
            ),
            (
                "My passport was lost when we fled the wildfire. I need it for {number}.",
                "Mon passeport a été perdu pendant l'évacuation due aux feux de forêt. J'en ai besoin pour la "
                "demande {number}.",
            ),
        ],
        "ask_no_file": [
            (
                "We had to leave our home because of the wildfire. Is there any help for people waiting for their "
                "papers?",
                "Nous avons dû quitter notre maison à cause des feux de forêt. Y a-t-il de l'aide pour les personnes "
                "qui "
                "attendent leurs papiers?",
            ),
        ],
        "request": [
            (
                "Could you give us an address or telephone number where we can reach you during the evacuation?",
                "Pourriez-vous nous donner une adresse ou un numéro de téléphone où vous joindre pendant l'évacuation?",
            ),
        ],
        "answer": [
            (
                "Every deadline on file {number} is extended by 90 days because of the evacuation. You do not "
                "need to send anything until you are back home.",
                "Tous les délais du dossier {number} sont prolongés de 90 jours en raison de l'évacuation. Vous "
                "n'avez rien à envoyer avant votre retour à la maison.",
            ),
            (
                "Your biometrics appointment for {number} is cancelled without penalty. You will get a new "
                "invitation once the area reopens.",
                "Votre rendez-vous pour les données biométriques pour la demande {number} est annulé sans "
                "pénalité. Vous recevrez une nouvelle invitation à la réouverture du secteur.",
            ),
            (
                "We updated the contact details on {number}: until you tell us otherwise, we will write to this "
                "email only.",
                "Nous avons mis à jour les coordonnées de la demande {number} : jusqu'à nouvel ordre, nous vous "
                "écrirons seulement à ce courriel.",
            ),
            (
                "You keep your status while we decide on {number}, even if your permit ends during the "
                "evacuation. We will replace lost documents free of charge.",
                "Vous conservez votre statut pendant que nous décidons de la demande {number}, même si votre "
                "permis arrive à échéance pendant l'évacuation. Nous remplacerons sans frais les documents "
                "perdus.",
            ),
        ],
        "answer_no_file": [
            (
                "People affected by the evacuation can ask for longer deadlines and free replacement documents. "
                "Write to us here with your application number when you have it.",
                "Les personnes touchées par l'évacuation peuvent demander des délais plus longs et le "
                "remplacement gratuit de leurs documents. Écrivez-nous ici avec votre numéro de demande dès que "
                "vous l'aurez.",
            ),
        ],
    },
}

# The client's answer to a request, which resumes the clock.
CLIENT_REPLIES: list[Pair] = [
    ("Here it is, attached. Thank you.", "Voici, en pièce jointe. Merci."),
    ("I just sent everything with the upload button.", "Je viens de tout envoyer avec le bouton de téléversement."),
    (
        "Sorry for the delay, I had to ask for it. It is attached.",
        "Désolé du retard, j'ai dû en faire la demande. C'est en pièce jointe.",
    ),
    ("Attached. Please tell me if anything else is needed.", "Ci-joint. Dites-moi s'il faut autre chose."),
    ("Here is the information you asked for.", "Voici les renseignements demandés."),
    ("I hope this is readable this time.", "J'espère que c'est lisible cette fois-ci."),
]
# A reply to an answered ticket, which reopens it.
CLIENT_FOLLOW_UPS: list[Pair] = [
    (
        "Thank you, but this does not answer my question. Can you check again?",
        "Merci, mais cela ne répond pas à ma question. Pouvez-vous vérifier de nouveau?",
    ),
    (
        "One more question: does this also apply to my spouse's file?",
        "Une autre question : est-ce que cela s'applique aussi au dossier de mon époux?",
    ),
    (
        "I did what you said but the page still shows the same thing.",
        "J'ai fait ce que vous m'avez dit, mais la page affiche toujours la même chose.",
    ),
    (
        "Could you tell me roughly how many weeks that means?",
        "Pourriez-vous me dire à peu près combien de semaines cela représente?",
    ),
    (
        "Sorry, I forgot to mention that my passport expires next month.",
        "Désolé, j'ai oublié de préciser que mon passeport expire le mois prochain.",
    ),
]
AGENT_SECOND_ANSWERS: list[Pair] = [
    (
        "I checked again and there is nothing more I can add for now: your file {number} is not waiting on you.",
        "J'ai vérifié de nouveau et je ne peux rien ajouter pour l'instant : votre dossier {number} n'attend rien "
        "de vous.",
    ),
    (
        "Yes, the same applies to family members included in application {number}.",
        "Oui, la même chose s'applique aux membres de la famille inclus dans la demande {number}.",
    ),
    (
        "Thank you for the detail. I added it to file {number}; the officer will see it.",
        "Merci de cette précision. Je l'ai ajoutée au dossier {number}; l'agent la verra.",
    ),
    (
        "It usually takes a few weeks, but we cannot promise a date.",
        "Cela prend habituellement quelques semaines, mais nous ne pouvons pas promettre de date.",
    ),
]
AGENT_SECOND_ANSWERS_NO_FILE: list[Pair] = [
    (
        "I checked again and there is nothing more I can add for now.",
        "J'ai vérifié de nouveau et je ne peux rien ajouter pour l'instant.",
    ),
    (
        "Thank you for the detail; it does not change the answer above.",
        "Merci de cette précision; elle ne change pas la réponse ci-dessus.",
    ),
]
AGENT_NOTES: list[Pair] = [
    (
        "Checked the file in the case system: nothing pending on our side.",
        "Dossier vérifié dans le système : rien en attente de notre côté.",
    ),
    (
        "Asked the processing office by email; waiting for their answer.",
        "Question envoyée au bureau de traitement par courriel; en attente de sa réponse.",
    ),
    ("Second enquiry on the same subject this month.", "Deuxième demande sur le même sujet ce mois-ci."),
    (
        "Client called the call centre as well; same question.",
        "Le client a aussi appelé le centre d'appels; même question.",
    ),
    ("Documents received are readable; added to the file.", "Documents reçus lisibles; ajoutés au dossier."),
    ("Escalated to the team leader for a second look.", "Transmis au chef d'équipe pour un second avis."),
]
TRANSFER_NOTES: list[Pair] = [
    ("Reassigned to balance the queue.", "Réassigné pour équilibrer la file."),
    ("Transferred: needs someone who knows this program.", "Transféré : il faut quelqu'un qui connaît ce programme."),
    ("Transferred while I am on leave.", "Transféré pendant mon congé."),
]
SPAM_MESSAGES: list[str] = [
    "Guaranteed visa in 7 days!!! Contact our agency now, best price, 100% approval.",
    "Buy followers and reviews for your business. Visit our website for a discount.",
    "Hello dear, I have an investment opportunity for you. Reply with your bank details.",
    "Cheap flights and hotel deals, click the link below.",
    "Work from home and earn $5000 a week, no experience needed.",
]
SPAM_NOTE = "Advertising, not an enquiry."
MERGE_NOTE = "Same question as {reference}; merged into it."
AUTO_CLOSE_NOTE = "No reply for {days} days after the answer; closed automatically."
NO_REPLY_CLOSE_NOTE = "No reply to our request; closed."
CONFIRMED_NOTE = "Email address confirmed."

# Satisfaction: comments for good and bad ratings, and the reasons a bad rating may give.
SURVEY_PRAISE: list[Pair] = [
    ("Fast and clear answer, thank you.", "Réponse rapide et claire, merci."),
    ("Finally a real person who looked at my file.", "Enfin une vraie personne qui a regardé mon dossier."),
    ("Very helpful.", "Très utile."),
    ("The agent explained everything in simple words.", "L'agent a tout expliqué simplement."),
    ("Good to know nothing is missing.", "C'est rassurant de savoir que rien ne manque."),
]
SURVEY_COMPLAINTS: list[Pair] = [
    ("It took longer than the date you gave me.", "Cela a pris plus de temps que la date annoncée."),
    (
        "The answer just repeats what the status page says.",
        "La réponse ne fait que répéter ce que dit la page de statut.",
    ),
    ("I still do not know when I will get a decision.", "Je ne sais toujours pas quand j'aurai une décision."),
    ("I had to explain my situation twice.", "J'ai dû expliquer ma situation deux fois."),
    ("Nobody answered the question I actually asked.", "Personne n'a répondu à la question que j'ai posée."),
]
# Codes of the reasons a dissatisfied client can tick (the survey page owns their wording).
SURVEY_REASONS = ["too_slow", "not_answered", "unclear", "not_helpful", "other"]

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}

# The past crisis channel and its topic.
CRISIS_CHANNEL = {
    "name_en": "Wildfire evacuations in the North",
    "name_fr": "Évacuations dues aux feux de forêt dans le Nord",
    "keyword_en": "wildfire",
    "keyword_fr": "feux de forêt",
    "banner_en": (
        'Were you evacuated because of the wildfires? Write "wildfire" in your enquiry: a dedicated team '
        "answers within 2 business days, and the deadlines on your file can be extended."
    ),
    "banner_fr": (
        "Vous avez été évacué en raison des feux de forêt? Écrivez « feux de forêt » dans votre demande de "
        "renseignements : une équipe dédiée vous répond en 2 jours ouvrables, et les délais de votre dossier "
        "peuvent être prolongés."
    ),
}
CRISIS_TOPIC = {
    "name_en": "Wildfire evacuations",
    "name_fr": "Évacuations – feux de forêt",
    "description_en": "For people whose file is affected by the wildfire evacuations: deadlines, appointments, "
    "lost documents.",
    "description_fr": "Pour les personnes dont le dossier est touché par les évacuations dues aux feux de forêt : "
    "délais, rendez-vous, documents perdus.",
}

# The demo applicant's own enquiries (Nour Khoury), in the order they were sent.
DEMO_APPLICANT_WORDS: dict[str, Pair] = {
    "refusal_question": (
        "Hello,\n\nMy visitor visa {number} was refused. I would like to understand what I should do "
        "differently if I apply again.\n\nThank you,\n{full_name}",
        "Bonjour,\n\nMa demande de visa de visiteur {number} a été refusée. J'aimerais comprendre ce que je "
        "devrais faire autrement si je présente une nouvelle demande.\n\nMerci,\n{full_name}",
    ),
    "refusal_answer": (
        "Hello {name},\n\nThe decision letter for {number} lists the two reasons: the funds shown and the "
        "ties to your country. A new application should explain the source of any large deposit and include a "
        "letter from your employer confirming your leave. You can also read the officer's notes from your "
        "decision page.\n\n{agent}\nClient Support Centre",
        "Bonjour {name},\n\nLa lettre de décision pour la demande {number} donne les deux motifs : les fonds "
        "présentés et les liens avec votre pays. Une nouvelle demande devrait expliquer la provenance de tout dépôt "
        "important et comprendre une lettre de votre employeur confirmant votre congé. Vous pouvez aussi lire les "
        "notes de l'agent sur votre page de décision.\n\n{agent}\nCentre de soutien à la clientèle",
    ),
    "status_question": (
        "Hello,\n\nMy permanent residence application {number} has been waiting on my medical exam. I did the "
        "exam at the clinic two weeks ago. Is there anything else I need to do?\n\n{full_name}",
        "Bonjour,\n\nMa demande de résidence permanente {number} attend mon examen médical. J'ai passé "
        "l'examen à la clinique il y a deux semaines. Dois-je faire autre chose?\n\n{full_name}",
    ),
    "status_answer": (
        "Hello {name},\n\nThe clinic sends the results to us directly; they usually reach your file within "
        'two to three weeks of the exam. When they do, the stage "{stage}" will show as completed on your '
        "status page. You do not need to do anything else for now.\n\n{agent}\nClient Support Centre",
        "Bonjour {name},\n\nLa clinique nous envoie directement les résultats; ils arrivent habituellement à "
        "votre dossier de deux à trois semaines après l'examen. À ce moment, l'étape « {stage} » paraîtra comme "
        "terminée sur votre page de statut. Vous n'avez rien d'autre à faire pour l'instant.\n\n{agent}\n"
        "Centre de soutien à la clientèle",
    ),
    "document_question": (
        "Hello,\n\nThe clinic gave me a confirmation sheet after my medical exam for {number}. Should I send it "
        "to you as well?\n\n{full_name}",
        "Bonjour,\n\nLa clinique m'a remis une feuille de confirmation après mon examen médical pour la "
        "demande {number}. Dois-je vous l'envoyer aussi?\n\n{full_name}",
    ),
    "document_request": (
        "Hello {name},\n\nYes, please: send a scan of the confirmation sheet (the page with the clinic's stamp "
        'and your exam number) with "Send documents" on your status page, or attach it to a reply here. It '
        "lets the officer match the results to your file.\n\n{agent}\nClient Support Centre",
        "Bonjour {name},\n\nOui, s'il vous plaît : envoyez une numérisation de la feuille de confirmation (la "
        "page portant le tampon de la clinique et votre numéro d'examen) avec « Envoyer des documents » sur votre "
        "page de statut, ou joignez-la à une réponse ici. Elle permet à l'agent de rattacher les résultats à votre "
        "dossier.\n\n{agent}\nCentre de soutien à la clientèle",
    ),
    "contact_question": (
        "Hello,\n\nI am moving to a new apartment in Calgary at the end of the month. Please update my address "
        "on application {number}; I attached the lease.\n\nThank you,\n{full_name}",
        "Bonjour,\n\nJe déménage dans un nouvel appartement à Calgary à la fin du mois. Veuillez mettre à "
        "jour mon adresse pour la demande {number}; j'ai joint le bail.\n\nMerci,\n{full_name}",
    ),
}
DEMO_APPLICANT_NOTE = "Lease received; the address change takes effect on the first of the month."
