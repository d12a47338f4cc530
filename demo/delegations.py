"""The demo's delegates: an MP's office, a law firm, a family member, and the grants the demo client gave them.

Every account here has a published password; the organisations' members also have an authenticator with a
published secret (demo/people.py), because every member of an organisation signs in with a second step.
Safe to repeat: rows are found by their natural keys and put back as documented.
"""

import dataclasses
import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from applications.models import Application, Client, Grant, Organisation, OrganisationMember
from delegations.liaison_models import LIAISON_GROUP, Appointment, Availability
from demo import people
from demo.staff import authenticator_ensure

OFFICE_NAME_EN = "Office of Claire Dubois, Member of Parliament for Rivière-des-Mille-Îles"
OFFICE_NAME_FR = "Bureau de Claire Dubois, députée de Rivière-des-Mille-Îles"
FIRM_NAME_EN = "Okafor Immigration Law"
FIRM_NAME_FR = "Okafor, droit de l'immigration"
REPRESENTATIVE_LICENCE = "LSO-P12345"


@dataclasses.dataclass(frozen=True)
class DemoDelegates:
    office: Organisation
    firm: Organisation
    manager: object
    caseworker: object
    representative: object
    designated: object
    grants: dict[str, Grant]
    officer: object = None
    appointments: int = 0


def _person_ensure(*, email: str, given: str, family: str, language: str = "en"):
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"first_name": given, "last_name": family, "preferred_language": language}
    )
    if created or not user.check_password(people.DELEGATE_PASSWORD):
        user.set_password(people.DELEGATE_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    secret = people.DEMO_TOTP_SECRETS.get(email)
    if secret:
        authenticator_ensure(user, secret)
    return user


def _member_ensure(organisation: Organisation, account, role: str, licence: str = "") -> None:
    OrganisationMember.objects.get_or_create(
        organisation=organisation,
        account=account,
        removed_at=None,
        defaults={"role": role, "licence_number": licence},
    )


def _grant_ensure(*, key: str, client: Client, application: Application | None, **fields) -> Grant:
    """One grant per demo purpose, found again by its consent text's first line."""
    marker = f"[demo:{key}]"
    grant = Grant.objects.filter(client=client, consent_text_en__startswith=marker).first()
    if grant is not None:
        return grant
    now = timezone.now()
    return Grant.objects.create(
        client=client,
        application=application,
        consent_text_en=f"{marker} I agree that the person or office named here may see the parts of my file chosen here.",
        consent_text_fr=f"{marker} J'accepte que la personne ou le bureau nommé ici voie les parties de mon dossier choisies ici.",
        signed_name=f"{client.given_names} {client.family_name}",
        given_at=now - datetime.timedelta(days=20),
        starts_at=now - datetime.timedelta(days=20),
        **fields,
    )


def demo_delegations_ensure(*, client: Client) -> DemoDelegates:
    """The delegates of the demo client, and grants of each kind to them."""
    now = timezone.now()
    office, _ = Organisation.objects.update_or_create(
        kind=Organisation.Kind.PARLIAMENTARY_OFFICE,
        name_en=OFFICE_NAME_EN,
        defaults={
            "name_fr": OFFICE_NAME_FR,
            "chamber": Organisation.Chamber.HOUSE,
            "member_name": "Claire Dubois",
            "riding_en": "Rivière-des-Mille-Îles",
            "riding_fr": "Rivière-des-Mille-Îles",
            "email": "claire.dubois.c1@parl.gc.ca",
            "verified_at": now - datetime.timedelta(days=90),
        },
    )
    firm, _ = Organisation.objects.update_or_create(
        kind=Organisation.Kind.LAW_FIRM,
        name_en=FIRM_NAME_EN,
        defaults={"name_fr": FIRM_NAME_FR, "verified_at": now - datetime.timedelta(days=200)},
    )
    manager = _person_ensure(email=people.OFFICE_MANAGER_EMAIL, given="Julie", family="Bergeron", language="fr")
    caseworker = _person_ensure(email=people.CASEWORKER_EMAIL, given="André", family="Tremblay", language="fr")
    representative = _person_ensure(email=people.REPRESENTATIVE_EMAIL, given="Ngozi", family="Okafor")
    designated = _person_ensure(email=people.DESIGNATED_EMAIL, given="Lina", family="Khoury")
    _member_ensure(office, manager, OrganisationMember.Role.MANAGER)
    _member_ensure(office, caseworker, OrganisationMember.Role.CASEWORKER)
    _member_ensure(firm, representative, OrganisationMember.Role.MANAGER, REPRESENTATIVE_LICENCE)

    files = list(client.applications.order_by("submitted_on", "number"))
    open_files = [application for application in files if application.status != Application.Status.CLOSED]
    closed_files = [application for application in files if application.status == Application.Status.CLOSED]
    grants = {
        # The MP's office follows the oldest open file, status only, for at most 12 months.
        "office": _grant_ensure(
            key="office",
            client=client,
            application=open_files[0] if open_files else None,
            kind=Grant.Kind.PARLIAMENTARY,
            organisation=office,
            scope=Grant.Scope.STATUS,
            expires_at=now + datetime.timedelta(days=345),
            source=Grant.Source.ONLINE,
        ),
        # The representative sees everything of every file and may write for the client.
        "firm": _grant_ensure(
            key="firm",
            client=client,
            application=None,
            kind=Grant.Kind.REPRESENTATIVE_PAID,
            organisation=firm,
            scope=Grant.Scope.NOTES,
            may_act=True,
            licence_number=REPRESENTATIVE_LICENCE,
            source=Grant.Source.PAPER,
        ),
        # The client's sister sees the status and the decision of the decided file.
        "designated": _grant_ensure(
            key="designated",
            client=client,
            application=(closed_files or files)[0],
            kind=Grant.Kind.DESIGNATED,
            grantee_account=designated,
            grantee_name="Lina Khoury",
            scope=Grant.Scope.DECISION,
            expires_at=now + datetime.timedelta(days=180),
            source=Grant.Source.ONLINE,
        ),
    }
    officer, appointments = _liaison_ensure(office=office, caseworker=caseworker, grant=grants["office"])
    return DemoDelegates(
        officer=officer,
        appointments=appointments,
        office=office,
        firm=firm,
        manager=manager,
        caseworker=caseworker,
        representative=representative,
        designated=designated,
        grants=grants,
    )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _business_days_ahead(count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = timezone.localdate()
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _liaison_ensure(*, office: Organisation, caseworker, grant: Grant) -> tuple[object, int]:
    """A liaison officer with mornings open over the next five business days, and appointments with the office.

    Availability and appointments are dated from today, so a run on a later day adds the days now ahead.
    """
    officer, created = get_user_model().objects.get_or_create(
        email=people.LIAISON_EMAIL,
        defaults={"first_name": "Léa", "last_name": "Gagnon", "preferred_language": "fr", "is_staff": True},
    )
    if created or not officer.check_password(people.LIAISON_PASSWORD):
        officer.set_password(people.LIAISON_PASSWORD)
        officer.save()
    EmailAddress.objects.update_or_create(
        user=officer, email=people.LIAISON_EMAIL, defaults={"verified": True, "primary": True}
    )
    authenticator_ensure(officer, people.DEMO_TOTP_SECRETS[people.LIAISON_EMAIL])
    group, _ = Group.objects.get_or_create(name=LIAISON_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="applications", codename="view_application"))
    officer.groups.add(group)
    days = _business_days_ahead(5)
    for day in days:
        Availability.objects.get_or_create(
            officer=officer,
            starts_at=_at(day, 9),
            defaults={"ends_at": _at(day, 12), "takes_15": True, "takes_30": True, "takes_45": True, "takes_60": True},
        )
    if grant.application is None:
        return officer, 0
    planned = [
        (days[0], 10, 30, Appointment.Topic.DELAY, "The constituent asks why the file passed the usual time."),
        (days[2], 9, 15, Appointment.Topic.DOCUMENTS, "Which document is still missing?"),
    ]
    for day, hour, length, topic, note in planned:
        Appointment.objects.get_or_create(
            officer=officer,
            starts_at=_at(day, hour),
            defaults={
                "organisation": office,
                "booked_by": caseworker,
                "application": grant.application,
                "topic": topic,
                "note": note,
                "ends_at": _at(day, hour) + datetime.timedelta(minutes=length),
                "length_minutes": length,
            },
        )
    return officer, Appointment.objects.filter(officer=officer, state=Appointment.State.BOOKED).count()
