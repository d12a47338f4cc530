"""Demo data for trying the portal: about fifty applications at every stage, a demo applicant and an administrator.

Written from demo/plan.py and keyed on application numbers, UCIs and upstream event ids, so running it again
only adds what is missing. Every stage, status and decision goes in as an event through `events_ingest`, the
one writer of case status, exactly as upstream events do.
"""

import dataclasses
import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client, Program, ProgramStage, Stage
from applications.reference_data import reference_data_load
from demo.people import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DEMO_CLIENT_UCI,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRETS,
    DEMO_UNLINKED_NUMBER,
    OFFICES_ABROAD,
)
from demo.plan import PlannedApplication, PlannedClient, PlannedEvent, demo_plan
from demo.staff import authenticator_ensure
from demo.wording import DEMO_REFUSED_GROUNDS, DEMO_REFUSED_NOTES, REFUSAL_GROUNDS_BY_PROGRAM, REFUSAL_NOTES
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import EventKind, RefusalGround, StatusEvent
from status_tracker.refusal_grounds import refusal_grounds_load

SOURCE_ID_PREFIX = "demo-"


@dataclasses.dataclass(frozen=True)
class DemoSeedResult:
    applications_created: int
    events_created: int
    applications: int
    events: int
    clients: int
    links: int
    programs: int
    stages: int
    demo_client: Client
    demo_linked_numbers: list[str]
    demo_unlinked_number: str


def _account_ensure(*, email: str, password: str, administrator: bool = False):
    """Create the account or put it back as documented: known password, verified email, right flags."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        email=email, defaults={"is_staff": administrator, "is_superuser": administrator}
    )
    changed = created
    # Hashing is slow on purpose, so only check and set the password when it may differ.
    if created or not user.check_password(password):
        user.set_password(password)
        changed = True
    if (user.is_staff, user.is_superuser, user.is_active) != (administrator, administrator, True):
        user.is_staff = user.is_superuser = administrator
        user.is_active = True
        changed = True
    if changed:
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _stage_event(application: Application, event: PlannedEvent, *, source_id: str) -> EventIn:
    # Dates count from the stored submission date, so a later run lands on the same history.
    day = application.submitted_on + datetime.timedelta(days=event.days_after_submission)
    # The portal's default sentence unless the plan has ours in both languages.
    own_words = bool(event.message_en and event.message_fr)
    return EventIn(
        event_id=source_id,
        application_number=application.number,
        occurred_at=_at(day, event.hour, event.minute),
        kind=EventKind.STAGE,
        stage=event.stage,
        state=event.state,
        message_en=event.message_en if own_words else "",
        message_fr=event.message_fr if own_words else "",
    )


def _decision_event(
    application: Application, planned: PlannedApplication, *, source_id: str, is_demo_client: bool
) -> EventIn:
    """The decision that closes a demo file: dated like its last step, with grounds and notes when refused."""
    refused = planned.outcome == Application.Outcome.REFUSED
    decided_on = application.submitted_on + datetime.timedelta(days=planned.decided_days_after_submission or 0)
    last = planned.events[-1] if planned.events else None
    grounds = DEMO_REFUSED_GROUNDS if is_demo_client else REFUSAL_GROUNDS_BY_PROGRAM[planned.program]
    return EventIn(
        event_id=source_id,
        application_number=application.number,
        occurred_at=_at(decided_on, last.hour, last.minute) if last else _at(decided_on, 12, 0),
        kind=EventKind.DECISION,
        outcome=planned.outcome,
        grounds=tuple(grounds) if refused else (),
        notes=(DEMO_REFUSED_NOTES if is_demo_client else REFUSAL_NOTES) if refused else "",
        made_in_canada=application.processing_office not in OFFICES_ABROAD,
    )


def _events_missing(plan: list[PlannedClient], applications: dict[str, Application]) -> list[EventIn]:
    """Every planned stage event and decision not recorded yet."""
    recorded = set(
        StatusEvent.objects.filter(source_id__startswith=SOURCE_ID_PREFIX).values_list("source_id", flat=True)
    )
    events = []
    for planned_client in plan:
        for planned in planned_client.applications:
            application = applications[planned.number]
            for index, event in enumerate(planned.events):
                source_id = f"{SOURCE_ID_PREFIX}{planned.number}-{index:02d}"
                if source_id not in recorded:
                    events.append(_stage_event(application, event, source_id=source_id))
            source_id = f"{SOURCE_ID_PREFIX}{planned.number}-decision"
            if planned.outcome and source_id not in recorded:
                is_demo_client = planned_client.uci == DEMO_CLIENT_UCI
                events.append(_decision_event(application, planned, source_id=source_id, is_demo_client=is_demo_client))
    return events


def _events_send(events: list[EventIn]) -> None:
    """One batch through the one writer; nobody is notified of demo history."""
    rejected = [item for item in events_ingest(events=events, notify=False) if item.result == ItemResult.REJECTED]
    if rejected:
        raise ValueError(f"demo event {rejected[0].event_id} rejected: {rejected[0].reason}")


def _applications_ensure(plan: list[PlannedClient]) -> tuple[dict[str, Application], int]:
    """The planned clients and applications, by number, and how many applications were new."""
    today = timezone.localdate()
    programs = {program.code: program for program in Program.objects.all()}
    applications, created_count = {}, 0
    for planned_client in plan:
        client, _created = Client.objects.update_or_create(
            uci=planned_client.uci,
            defaults={
                "given_names": planned_client.given_names,
                "family_name": planned_client.family_name,
                "date_of_birth": planned_client.date_of_birth,
                "country_of_birth": planned_client.country_of_birth,
                "country_of_residence": planned_client.country_of_residence,
                "preferred_language": planned_client.language,
                "email": planned_client.email,
            },
        )
        for planned in planned_client.applications:
            application, created = Application.objects.get_or_create(
                number=planned.number,
                defaults={
                    "client": client,
                    "program": programs[planned.program],
                    "submitted_on": today - datetime.timedelta(days=planned.submitted_days_ago),
                    "channel": planned.channel,
                    "processing_office": planned.office,
                },
            )
            applications[planned.number] = application
            created_count += created
    return applications, created_count


def _demo_account_ensure(plan: list[PlannedClient], applications: dict[str, Application]) -> tuple[Client, list[str]]:
    """The demo applicant's account, its links and its client; returns the client and the linked numbers."""
    demo_user = _account_ensure(email=DEMO_EMAIL, password=DEMO_PASSWORD)
    linked = [planned.number for client in plan for planned in client.applications if planned.linked]
    for number in linked:
        ApplicationLink.objects.get_or_create(account=demo_user, application=applications[number])
    demo_client = Client.objects.get(uci=DEMO_CLIENT_UCI)
    if demo_client.account_id != demo_user.pk:
        demo_client.account = demo_user
        demo_client.save(update_fields=["account"])
    return demo_client, linked


def demo_seed() -> DemoSeedResult:
    """Load the demo data into the database, or add what is missing from it; safe to repeat."""
    plan = demo_plan()
    with transaction.atomic():
        reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)
        refusal_grounds_load(ground_model=RefusalGround)
        applications, applications_created = _applications_ensure(plan)
        events = _events_missing(plan, applications)
        if events:
            _events_send(events)
        demo_client, demo_linked = _demo_account_ensure(plan, applications)
        administrator = _account_ensure(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, administrator=True)
        authenticator_ensure(administrator, DEMO_TOTP_SECRETS[ADMIN_EMAIL])
    return DemoSeedResult(
        applications_created=applications_created,
        events_created=len(events),
        applications=Application.objects.count(),
        events=StatusEvent.objects.count(),
        clients=Client.objects.count(),
        links=ApplicationLink.objects.count(),
        programs=Program.objects.count(),
        stages=Stage.objects.count(),
        demo_client=demo_client,
        demo_linked_numbers=demo_linked,
        demo_unlinked_number=DEMO_UNLINKED_NUMBER,
    )
