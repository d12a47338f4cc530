"""The library of common refusal grounds in plain English and French, loaded into the RefusalGround table.

Staff edit the wording in admin afterwards; the loader only adds what is missing.
"""

# The ground that bars a new application for five years (IRPA s.40(2)(a)).
MISREPRESENTATION_CODE = "misrepresentation"

# code: (legal reference, (title en, title fr), (explanation en, explanation fr))
REFUSAL_GROUNDS: dict[str, tuple[str, tuple[str, str], tuple[str, str]]] = {
    "leave-at-end-of-stay": (
        "IRPR 179(b), 200(1)(b), 216(1)(b)",
        (
            "Not satisfied you would leave Canada at the end of your stay",
            "L'agente ou l'agent n'est pas convaincu que vous quitterez le Canada à la fin de votre séjour",
        ),
        (
            "A visa or permit for a temporary stay is only given to people who will leave Canada when it ends. "
            "From what was in your application, the officer was not convinced that you would. This is usually "
            "based on several things together, such as your reasons for coming, your situation at home and your "
            "travel history, which are listed separately when they played a part.",
            "Un visa ou un permis de séjour temporaire n'est accordé qu'aux personnes qui quitteront le Canada à la "
            "fin de leur séjour. Au vu de votre demande, l'agente ou l'agent n'a pas été convaincu que ce serait votre cas. "
            "Cette conclusion repose habituellement sur plusieurs éléments à la fois, comme les raisons de votre "
            "venue, votre situation dans votre pays et vos antécédents de voyage, qui sont mentionnés séparément "
            "lorsqu'ils ont joué un rôle.",
        ),
    ),
    "insufficient-funds": (
        "IRPR 179(b), 220",
        ("Not enough money for your stay", "Fonds insuffisants pour votre séjour"),
        (
            "You need to show that you can pay for your trip, your stay and, for students, your tuition, without "
            "working in Canada without permission. The officer found that the bank statements or other proof of "
            "money you sent did not show enough, or did not show where the money came from.",
            "Vous devez démontrer que vous pouvez payer votre voyage, votre séjour et, si vous venez étudier, vos "
            "droits de scolarité, sans travailler au Canada sans autorisation. L'agente ou l'agent a conclu que les relevés "
            "bancaires ou les autres preuves de fonds fournis ne montraient pas une somme suffisante, ou n'en "
            "indiquaient pas la provenance.",
        ),
    ),
    "purpose-of-visit": (
        "IRPR 179(b)",
        (
            "The purpose of your visit was not clear or not consistent with a temporary stay",
            "Le but de votre visite n'était pas clair ou ne correspondait pas à un séjour temporaire",
        ),
        (
            "The officer could not tell from your application why you wanted to come to Canada, or what you "
            "described did not fit a short, temporary stay. A clear plan, such as an invitation letter, a "
            "conference registration or a travel itinerary, helps show the purpose of your trip.",
            "L'agente ou l'agent n'a pas pu établir, d'après votre demande, pourquoi vous vouliez venir au Canada, ou ce que "
            "vous avez décrit ne correspondait pas à un court séjour temporaire. Un plan précis, comme une lettre "
            "d'invitation, une inscription à une conférence ou un itinéraire de voyage, aide à montrer le but de "
            "votre voyage.",
        ),
    ),
    "family-ties": (
        "IRPR 179(b)",
        (
            "Your ties to your home country compared with your ties to Canada",
            "Vos liens avec votre pays par rapport à vos liens avec le Canada",
        ),
        (
            "The officer weighed what connects you to the country where you live, such as family, a job, property "
            "or studies, against what connects you to Canada. They found that your ties at home were not strong "
            "enough to show that you would go back.",
            "L'agente ou l'agent a comparé ce qui vous rattache au pays où vous vivez, comme votre famille, un emploi, des biens "
            "ou des études, à ce qui vous rattache au Canada. Il a conclu que vos liens dans votre pays n'étaient pas "
            "assez forts pour montrer que vous y retourneriez.",
        ),
    ),
    "travel-history": (
        "IRPR 179(b)",
        ("Your travel history", "Vos antécédents de voyage"),
        (
            "Past trips abroad, and going home after them, can show that you respect the conditions of a visa. "
            "The officer found that your travel history did not help show this, for example because you have "
            "travelled little or because of an earlier overstay.",
            "Des voyages antérieurs à l'étranger, suivis d'un retour dans votre pays, peuvent montrer que vous "
            "respectez les conditions d'un visa. L'agente ou l'agent a conclu que vos antécédents de voyage ne le montraient "
            "pas, par exemple parce que vous avez peu voyagé ou parce que vous êtes déjà resté plus longtemps que "
            "permis.",
        ),
    ),
    "employment-or-study-plan": (
        "IRPR 200(3)(a), 216(1)",
        (
            "Your job or study plan did not make sense to the officer",
            "Votre projet d'emploi ou d'études n'a pas convaincu l'agente ou l'agent",
        ),
        (
            "For a work permit, the officer was not satisfied that you could do the job offered, for example "
            "because of your experience or language skills. For a study permit, the officer was not convinced "
            "that the program you chose fits your past studies, your work or your plans.",
            "Pour un permis de travail, l'agente ou l'agent n'est pas convaincu que vous pourriez occuper l'emploi offert, par "
            "exemple en raison de votre expérience ou de vos compétences linguistiques. Pour un permis d'études, "
            "l'agente ou l'agent n'est pas convaincu que le programme choisi est cohérent avec vos études antérieures, votre "
            "travail ou vos projets.",
        ),
    ),
    "program-requirements": (
        "IRPA 11(1)",
        (
            "You did not meet the requirements of the program",
            "Vous ne remplissiez pas les exigences du programme",
        ),
        (
            "Each program has conditions you must meet, such as a minimum amount of work experience, language "
            "test results or a valid nomination. The officer found that at least one of them was not met, or not "
            "proved with the documents you sent.",
            "Chaque programme comporte des conditions à remplir, comme une durée minimale d'expérience de travail, "
            "des résultats d'examen linguistique ou une nomination valide. L'agente ou l'agent a conclu qu'au moins l'une "
            "d'elles n'était pas remplie, ou n'était pas démontrée par les documents fournis.",
        ),
    ),
    "relationship-not-genuine": (
        "IRPR 4(1)",
        (
            "The officer was not satisfied that the relationship is genuine",
            "L'agente ou l'agent n'est pas convaincu que la relation est authentique",
        ),
        (
            "For a spouse or partner sponsorship, the relationship must be real and not entered into mainly to "
            "gain status in Canada. The officer was not convinced of this from the evidence, such as proof of "
            "time spent together, communication and shared responsibilities.",
            "Dans le cas d'un parrainage d'époux ou de conjoint, la relation doit être réelle et ne pas viser "
            "principalement l'obtention d'un statut au Canada. Les preuves fournies, comme le temps passé "
            "ensemble, les communications et les responsabilités partagées, n'ont pas convaincu l'agente ou l'agent.",
        ),
    ),
    "medical-inadmissibility": (
        "IRPA 38(1)",
        ("Medical inadmissibility", "Interdiction de territoire pour motifs sanitaires"),
        (
            "The results of your medical exam showed a condition that the law treats as a danger to public health "
            "or safety, or that would likely place an excessive demand on health or social services in Canada. "
            "Some family members, refugees and protected persons are exempt from the excessive-demand rule.",
            "Les résultats de votre examen médical ont révélé un état de santé que la loi considère comme un danger "
            "pour la santé ou la sécurité publiques, ou qui risquerait d'entraîner un fardeau excessif pour les "
            "services de santé ou les services sociaux au Canada. Certains membres de la famille, réfugiés et "
            "personnes protégées sont exemptés de la règle du fardeau excessif.",
        ),
    ),
    "criminality": (
        "IRPA 36(1), 36(2)",
        ("Criminality", "Criminalité"),
        (
            "A criminal conviction or offence, in Canada or elsewhere, makes you inadmissible to Canada. Depending "
            "on the offence and how long ago it was, you may become able to come to Canada again, for example "
            "after rehabilitation or a record suspension.",
            "Une condamnation ou une infraction criminelle, au Canada ou ailleurs, vous interdit de territoire au "
            "Canada. Selon l'infraction et le temps écoulé depuis, vous pourriez de nouveau être admissible, par "
            "exemple après une réadaptation ou une suspension du casier judiciaire.",
        ),
    ),
    MISREPRESENTATION_CODE: (
        "IRPA 40(1)(a), 40(2)(a)",
        ("Misrepresentation", "Fausses déclarations"),
        (
            "The officer found that your application contained false or misleading information or documents, or "
            "left out something important, in a way that could have led to a wrong decision. This applies even "
            "when a representative filled in the forms for you. After such a finding, you cannot apply to come to "
            "Canada for five years.",
            "L'agente ou l'agent a conclu que votre demande contenait des renseignements ou des documents faux ou trompeurs, "
            "ou qu'elle omettait un fait important, d'une manière qui aurait pu entraîner une erreur dans la "
            "décision. Cela s'applique même si un représentant a rempli les formulaires pour vous. Après une telle "
            "conclusion, vous ne pouvez pas présenter de demande pour venir au Canada pendant cinq ans.",
        ),
    ),
    "incomplete-application": (
        "IRPR 10, 12",
        ("Your application was incomplete", "Votre demande était incomplète"),
        (
            "A form, a signature, a fee or a required document was missing, so the application could not be "
            "assessed as it was. The checklist for your program lists everything that must be included.",
            "Il manquait un formulaire, une signature, des frais ou un document exigé : la demande ne pouvait "
            "donc pas être évaluée telle quelle. La liste de contrôle de votre programme indique tout ce qui doit "
            "être fourni.",
        ),
    ),
    "documents-or-biometrics-not-provided": (
        "IRPA 16(1); IRPR 12.1",
        (
            "Requested documents or biometrics were not provided",
            "Les documents ou les données biométriques demandés n'ont pas été fournis",
        ),
        (
            "The law requires you to give the officer the documents, information and biometrics (fingerprints and "
            "photo) they reasonably ask for. We asked for something and did not receive it by the date given, so "
            "the officer decided with what was on file.",
            "La loi vous oblige à fournir à l'agente ou à l'agent les documents, les renseignements et les données biométriques "
            "(empreintes digitales et photo) qu'il demande raisonnablement. Nous vous avons demandé un élément que "
            "nous n'avons pas reçu à la date indiquée ; l'agente ou l'agent a donc rendu sa décision avec ce qui figurait au "
            "dossier.",
        ),
    ),
}


def refusal_grounds_load(*, ground_model) -> int:
    """Add the grounds above that are missing; never overwrite what staff changed in admin.

    Returns how many were added.
    """
    existing = set(ground_model.objects.values_list("code", flat=True))
    rows = [
        ground_model(
            code=code,
            legal_reference=reference,
            title_en=title[0],
            title_fr=title[1],
            explanation_en=explanation[0],
            explanation_fr=explanation[1],
        )
        for code, (reference, title, explanation) in REFUSAL_GROUNDS.items()
        if code not in existing
    ]
    ground_model.objects.bulk_create(rows)
    return len(rows)
