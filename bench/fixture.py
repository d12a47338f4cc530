"""The signed-in benchmark applicant: an account, its link to the 30-event application, and sessions."""

from dataclasses import dataclass

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction

from applications.models import Application, ApplicationLink
from bench.load import BENCH_APPLICATION_NUMBER, BENCH_USER_EMAIL
from portal.models import User


@dataclass(frozen=True)
class BenchFixture:
    application_id: int
    application_number: str
    user_id: int
    session_keys: list[str]


@transaction.atomic
def fixture_prepare(*, session_count: int) -> BenchFixture:
    """Make the benchmark account own the benchmark application and sign it in `session_count` times.

    Several sessions for one person: under SESSION_SAVE_EVERY_REQUEST each request
    rewrites its session row, and ten connections sharing one row would measure
    lock waits on that row rather than the page.
    """
    application = Application.objects.select_related("client").get(number=BENCH_APPLICATION_NUMBER)
    user, _created = User.objects.get_or_create(email=BENCH_USER_EMAIL, defaults={"preferred_language": "en"})
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    client = application.client
    if client.account_id != user.pk:
        client.account = user
        client.save(update_fields=["account"])
    ApplicationLink.objects.get_or_create(account=user, application=application)

    # The database is the benchmark's own: old benchmark sessions are simply dropped.
    Session.objects.all().delete()
    session_keys = []
    for _index in range(session_count):
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        session_keys.append(session.session_key)
    return BenchFixture(
        application_id=application.pk,
        application_number=application.number,
        user_id=user.pk,
        session_keys=session_keys,
    )
