"""factory_boy factories for the portal's models."""

import datetime
import uuid
from dataclasses import dataclass

import factory
from django.utils import timezone

from applications.models import Application, ApplicationLink, Client, Program, Stage
from portal.models import User
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import Decision, EventKind, StageState, StatusEvent


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.django.Password("correct horse battery staple")
    preferred_language = "en"

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    uci = factory.Sequence(lambda n: f"{11000000 + n}")
    family_name = factory.Sequence(lambda n: f"Tremblay{n}")
    given_names = "Marie"
    date_of_birth = datetime.date(1990, 3, 27)
    country_of_birth = "FR"
    country_of_residence = "CA"
    email = factory.LazyAttribute(lambda client: f"{client.family_name.lower()}@example.com")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    number = factory.Sequence(lambda n: f"E{100000000 + n}")
    client = factory.SubFactory(ClientFactory)
    program = factory.LazyFunction(lambda: Program.objects.get(code="spouse-sponsorship"))
    submitted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=120))
    processing_office = "Ottawa"


def link(*, user, application) -> ApplicationLink:
    """Give `user` access to `application` as its client's account."""
    client = application.client
    if client.account_id is None:
        client.account = user
        client.save(update_fields=["account"])
    return ApplicationLink.objects.create(account=user, application=application)


def record_decision(
    *,
    application: Application,
    outcome: str,
    decided_at: datetime.datetime | None = None,
    grounds: tuple[str, ...] | list[str] = (),
    notes: str = "",
    made_in_canada: bool | None = None,
) -> Decision:
    """Close `application` as upstream does: a decision event through events_ingest, telling nobody.

    `decided_at` defaults to now; the application is refreshed and its Decision returned.
    """
    event = EventIn(
        event_id=f"test-decision-{uuid.uuid4().hex}",
        application_number=application.number,
        occurred_at=decided_at or timezone.now(),
        kind=EventKind.DECISION,
        outcome=outcome,
        grounds=tuple(grounds),
        notes=notes,
        made_in_canada=made_in_canada,
    )
    (item,) = events_ingest(events=[event], notify=False)
    if item.result != ItemResult.APPLIED:
        raise AssertionError(f"the decision was not applied: {item.result} {item.reason}")
    application.refresh_from_db()
    return Decision.objects.get(application=application)


def ingest_event(
    *,
    application: Application,
    kind: str,
    occurred_at: datetime.datetime | None = None,
    notify: bool = False,
    **fields,
):
    """Send one event about `application` through events_ingest; return the stored row.

    `fields` are EventIn's (stage code, state, status, outcome, grounds, notes, message_en, message_fr...).
    It tells nobody unless `notify` asks for the notification rows ingestion writes.
    """
    event = EventIn(
        event_id=fields.pop("source_id", None) or f"test-{uuid.uuid4().hex}",
        application_number=application.number,
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        **fields,
    )
    (item,) = events_ingest(events=[event], notify=notify)
    if item.result not in (ItemResult.APPLIED, ItemResult.OUT_OF_ORDER):
        raise AssertionError(f"the event was not stored: {item.result} {item.reason}")
    application.refresh_from_db()
    return item.event


def decisions_record(*, decisions: list[tuple[Application, str, datetime.date]]) -> None:
    """Decide many files at once through one events_ingest batch: (application, outcome, decided_on).

    Each decision is stamped at noon local time on its day, so its decision date is that day.
    """
    noon = datetime.time(12, tzinfo=timezone.get_current_timezone())
    events = [
        EventIn(
            event_id=f"test-decision-{uuid.uuid4().hex}",
            application_number=application.number,
            occurred_at=datetime.datetime.combine(decided_on, noon),
            kind=EventKind.DECISION,
            outcome=outcome,
        )
        for application, outcome, decided_on in decisions
    ]
    results = events_ingest(events=events, notify=False)
    refused = [item for item in results if item.result != ItemResult.APPLIED]
    if refused:
        raise AssertionError(f"decisions not applied: {refused[:3]}")


@dataclass(frozen=True)
class RecordedEvent:
    event: StatusEvent
    created: bool  # False when this upstream id had been recorded before
    applied: bool  # False when the event was older than the stage's current state


def status_event_record(
    *,
    application: Application,
    stage: Stage,
    state: str,
    occurred_at: datetime.datetime,
    source_id: str,
    message_en: str = "",
    message_fr: str = "",
    visible_to_client: bool = True,
    notify: bool = False,
) -> RecordedEvent:
    """Store one stage event exactly once and move the stage forward if it is newer.

    A thin door onto `events_ingest`: the same rules as the upstream API. It tells
    nobody unless asked (`notify`).
    """
    event = EventIn(
        event_id=source_id,
        application_number=application.number,
        occurred_at=occurred_at,
        kind=EventKind.STAGE,
        stage=stage.code,
        state=StageState(state),
        message_en=message_en if message_en and message_fr else "",
        message_fr=message_fr if message_en and message_fr else "",
        visible_to_client=visible_to_client,
    )
    (item,) = events_ingest(events=[event], notify=notify)
    if item.result == ItemResult.REJECTED:
        raise ValueError(item.reason)
    if item.result == ItemResult.DUPLICATE:
        return RecordedEvent(event=StatusEvent.objects.get(source_id=source_id), created=False, applied=False)
    application.refresh_from_db()
    return RecordedEvent(event=item.event, created=True, applied=item.result == ItemResult.APPLIED)


STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in_with_second_step(client, user) -> None:
    """Sign `user` in as allauth does after a password and a TOTP code: staff pages need both.

    The user gets a TOTP authenticator (as if set up), and the session carries allauth's
    records of both steps, so StaffSecondStepMiddleware and the agent workspace let them in.
    """
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, STAFF_TOTP_SECRET)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def sign_in(client, user) -> None:
    """Sign in as a person would: staff and organisation members with their second step (which their pages
    require), others with a password."""
    from applications.models import OrganisationMember

    if user.is_staff or OrganisationMember.objects.filter(account=user, removed_at=None).exists():
        sign_in_with_second_step(client, user)
    else:
        client.force_login(user)
