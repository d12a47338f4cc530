"""The department's lines of business and their stages, in both official languages.

Loaded by a data migration and refreshed by `seed_demo`; administrators may edit
them afterwards in the admin. Service standards are the published targets a
client can hold the department to, in calendar days. Processing-time windows
follow the department's practice: six months of decisions for permanent
residence and citizenship, 16 weeks for study and work permits, 8 weeks for
visitor visas, which are also published per country of residence.
"""

STAGES = {
    "completeness": {
        "name": ("Completeness check", "Vérification de l'intégralité"),
        "explanation": (
            "We check that your application has every form, document and fee it needs before we review it.",
            "Nous vérifions que votre demande contient tous les formulaires, documents et frais requis avant de l'examiner.",
        ),
        "action": (
            "If something is missing, we will tell you here what to send and by when.",
            "S'il manque quelque chose, nous vous indiquerons ici quoi envoyer et avant quelle date.",
        ),
    },
    "sponsor_assessment": {
        "name": ("Sponsor assessment", "Évaluation du répondant"),
        "explanation": (
            "We check that your sponsor meets the requirements to sponsor you.",
            "Nous vérifions que votre répondant remplit les conditions pour vous parrainer.",
        ),
        "action": ("", ""),
    },
    "eligibility": {
        "name": ("Eligibility", "Admissibilité"),
        "explanation": (
            "An officer reviews whether you meet the requirements of the program you applied to.",
            "Un agent examine si vous remplissez les exigences du programme auquel vous avez présenté une demande.",
        ),
        "action": (
            "If the officer needs more information, we will ask for it here.",
            "Si l'agente ou l'agent a besoin de plus de renseignements, nous vous les demanderons ici.",
        ),
    },
    "nomination": {
        "name": ("Provincial nomination check", "Vérification de la nomination provinciale"),
        "explanation": (
            "We confirm your nomination with the province or territory that nominated you.",
            "Nous confirmons votre nomination auprès de la province ou du territoire qui vous a désigné.",
        ),
        "action": ("", ""),
    },
    "biometrics": {
        "name": ("Biometrics", "Données biométriques"),
        "explanation": (
            "We collect your fingerprints and photo to confirm your identity.",
            "Nous recueillons vos empreintes digitales et votre photo pour confirmer votre identité.",
        ),
        "action": (
            "Book an appointment at a biometrics collection site and bring your instruction letter.",
            "Prenez rendez-vous dans un point de service de collecte des données biométriques et apportez votre lettre d'instructions.",
        ),
    },
    "medical_exam": {
        "name": ("Medical exam", "Examen médical"),
        "explanation": (
            "A panel physician examines you and sends the results to us.",
            "Un médecin désigné vous examine et nous transmet les résultats.",
        ),
        "action": (
            "Book your exam with a panel physician and bring your medical instructions.",
            "Prenez rendez-vous avec un médecin désigné et apportez vos instructions pour l'examen médical.",
        ),
    },
    "background_check": {
        "name": ("Background check", "Vérification des antécédents"),
        "explanation": (
            "Partner agencies check your criminal and security history. This stage often takes the longest and we cannot share its details.",
            "Des organismes partenaires vérifient vos antécédents criminels et de sécurité. Cette étape est souvent la plus longue et nous ne pouvons pas en communiquer les détails.",
        ),
        "action": ("", ""),
    },
    "interview": {
        "name": ("Interview", "Entrevue"),
        "explanation": (
            "Some applicants are invited to an interview with an officer.",
            "Certains demandeurs sont invités à une entrevue avec un agent.",
        ),
        "action": (
            "If you are invited, confirm the date and bring the documents listed in your letter.",
            "Si vous êtes invité, confirmez la date et apportez les documents indiqués dans votre lettre.",
        ),
    },
    "citizenship_test": {
        "name": ("Citizenship test", "Examen pour la citoyenneté"),
        "explanation": (
            "You answer questions about Canada's history, geography, government and symbols.",
            "Vous répondez à des questions sur l'histoire, la géographie, le gouvernement et les symboles du Canada.",
        ),
        "action": (
            "Take the test online when you receive your invitation.",
            "Passez l'examen en ligne lorsque vous recevez votre invitation.",
        ),
    },
    "ceremony": {
        "name": ("Citizenship ceremony", "Cérémonie de citoyenneté"),
        "explanation": (
            "You take the Oath of Citizenship and receive your citizenship certificate.",
            "Vous prêtez le serment de citoyenneté et recevez votre certificat de citoyenneté.",
        ),
        "action": ("", ""),
    },
    "passport_request": {
        "name": ("Passport request", "Demande de passeport"),
        "explanation": (
            "We ask for your passport so that we can place your visa in it.",
            "Nous vous demandons votre passeport afin d'y apposer votre visa.",
        ),
        "action": (
            "Send your passport to the visa application centre named in your letter.",
            "Envoyez votre passeport au centre de réception des demandes de visa indiqué dans votre lettre.",
        ),
    },
    "card_production": {
        "name": ("Card production", "Production de la carte"),
        "explanation": (
            "We print your card and mail it to the address on your file.",
            "Nous imprimons votre carte et l'envoyons par la poste à l'adresse inscrite à votre dossier.",
        ),
        "action": ("", ""),
    },
    "final_decision": {
        "name": ("Final decision", "Décision finale"),
        "explanation": (
            "An officer makes the final decision on your application and we tell you the result.",
            "Un agent prend la décision finale sur votre demande et nous vous communiquons le résultat.",
        ),
        "action": ("", ""),
    },
}

PROGRAMS = {
    "spouse-sponsorship": {
        "name": ("Spouse or partner sponsorship", "Parrainage d'un époux ou d'un conjoint"),
        "description": (
            "Permanent residence for the spouse, common-law or conjugal partner of a Canadian citizen or permanent resident.",
            "Résidence permanente pour l'époux, le conjoint de fait ou le partenaire conjugal d'un citoyen canadien ou d'un résident permanent.",
        ),
        "category": "permanent",
        "service_standard_days": 365,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": [
            "completeness",
            "sponsor_assessment",
            "eligibility",
            "biometrics",
            "medical_exam",
            "background_check",
            "final_decision",
        ],
    },
    "express-entry-cec": {
        "name": ("Express Entry: Canadian Experience Class", "Entrée express : catégorie de l'expérience canadienne"),
        "description": (
            "Permanent residence for skilled workers with recent work experience in Canada.",
            "Résidence permanente pour les travailleurs qualifiés ayant une expérience de travail récente au Canada.",
        ),
        "category": "permanent",
        "service_standard_days": 180,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": ["completeness", "eligibility", "biometrics", "medical_exam", "background_check", "final_decision"],
    },
    "express-entry-fsw": {
        "name": ("Express Entry: Federal Skilled Worker", "Entrée express : travailleurs qualifiés (fédéral)"),
        "description": (
            "Permanent residence for skilled workers with foreign work experience.",
            "Résidence permanente pour les travailleurs qualifiés ayant une expérience de travail à l'étranger.",
        ),
        "category": "permanent",
        "service_standard_days": 180,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": ["completeness", "eligibility", "biometrics", "medical_exam", "background_check", "final_decision"],
    },
    "express-entry-fst": {
        "name": ("Express Entry: Federal Skilled Trades", "Entrée express : métiers spécialisés (fédéral)"),
        "description": (
            "Permanent residence for qualified tradespeople.",
            "Résidence permanente pour les gens de métier qualifiés.",
        ),
        "category": "permanent",
        "service_standard_days": 180,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": ["completeness", "eligibility", "biometrics", "medical_exam", "background_check", "final_decision"],
    },
    "provincial-nominee": {
        "name": ("Provincial Nominee Program", "Programme des candidats des provinces"),
        "description": (
            "Permanent residence for people nominated by a province or territory.",
            "Résidence permanente pour les personnes désignées par une province ou un territoire.",
        ),
        "category": "permanent",
        "service_standard_days": 335,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": [
            "completeness",
            "nomination",
            "eligibility",
            "biometrics",
            "medical_exam",
            "background_check",
            "final_decision",
        ],
    },
    "study-permit": {
        "name": ("Study permit", "Permis d'études"),
        "description": (
            "Permission to study at a designated learning institution in Canada.",
            "Autorisation d'étudier dans un établissement d'enseignement désigné au Canada.",
        ),
        "category": "temporary",
        "service_standard_days": 60,
        "processing_window_days": 112,
        "times_by_country": True,
        "stages": ["completeness", "eligibility", "biometrics", "background_check", "final_decision"],
    },
    "work-permit": {
        "name": ("Work permit", "Permis de travail"),
        "description": (
            "Permission to work in Canada for a set period.",
            "Autorisation de travailler au Canada pendant une période déterminée.",
        ),
        "category": "temporary",
        "service_standard_days": 60,
        "processing_window_days": 112,
        "times_by_country": True,
        "stages": ["completeness", "eligibility", "biometrics", "background_check", "final_decision"],
    },
    "visitor-visa": {
        "name": ("Visitor visa (temporary resident visa)", "Visa de visiteur (visa de résident temporaire)"),
        "description": (
            "An official document in your passport that lets you travel to Canada as a visitor.",
            "Un document officiel apposé dans votre passeport qui vous permet de vous rendre au Canada comme visiteur.",
        ),
        "category": "temporary",
        "service_standard_days": 14,
        "processing_window_days": 56,
        "times_by_country": True,
        "stages": ["completeness", "biometrics", "eligibility", "passport_request", "final_decision"],
    },
    "pr-card": {
        "name": ("Permanent resident card", "Carte de résident permanent"),
        "description": (
            "A new or renewed card that proves your permanent resident status.",
            "Une carte, nouvelle ou renouvelée, qui prouve votre statut de résident permanent.",
        ),
        "category": "permanent",
        "service_standard_days": 60,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": ["completeness", "eligibility", "card_production"],
    },
    "citizenship-grant": {
        "name": ("Citizenship grant", "Attribution de la citoyenneté"),
        "description": (
            "Canadian citizenship for permanent residents who meet the requirements.",
            "Citoyenneté canadienne pour les résidents permanents qui remplissent les exigences.",
        ),
        "category": "citizenship",
        "service_standard_days": 365,
        "processing_window_days": 183,
        "times_by_country": False,
        "stages": ["completeness", "eligibility", "background_check", "citizenship_test", "interview", "ceremony"],
    },
}


def reference_data_load(*, stage_model, program_model, program_stage_model) -> None:
    """Create or refresh the stages and programs above; safe to run any number of times.

    Takes the model classes so that a migration can pass its historical models;
    fields that a historical model does not have yet are left out.
    """
    program_fields = {field.name for field in program_model._meta.get_fields()}
    stages = {}
    for code, data in STAGES.items():
        stages[code], _created = stage_model.objects.update_or_create(
            code=code,
            defaults={
                "name_en": data["name"][0],
                "name_fr": data["name"][1],
                "explanation_en": data["explanation"][0],
                "explanation_fr": data["explanation"][1],
                "client_action_en": data["action"][0],
                "client_action_fr": data["action"][1],
            },
        )
    for code, data in PROGRAMS.items():
        values = {
            "name_en": data["name"][0],
            "name_fr": data["name"][1],
            "description_en": data["description"][0],
            "description_fr": data["description"][1],
            "category": data["category"],
            "service_standard_days": data["service_standard_days"],
            "processing_window_days": data["processing_window_days"],
            "times_by_country": data["times_by_country"],
        }
        program, _created = program_model.objects.update_or_create(
            code=code, defaults={key: value for key, value in values.items() if key in program_fields}
        )
        program_stage_model.objects.filter(program=program).delete()
        program_stage_model.objects.bulk_create(
            [
                program_stage_model(program=program, stage=stages[stage_code], position=position)
                for position, stage_code in enumerate(data["stages"], start=1)
            ]
        )
