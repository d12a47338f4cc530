"""The portal's own plain-language wording for a stage reaching a state.

Used when upstream sends no message of its own. Both languages are rendered
at write time and stored, so history reads the same forever after.
"""

from django.utils.translation import gettext

from applications.models import Stage
from core.i18n import in_both_languages
from status_tracker.models import EventKind, StageState


def _sentence(*, stage_name: str, state: str) -> str:
    sentences = {
        StageState.NOT_STARTED: gettext("%(stage)s has not started yet."),
        StageState.WAITING_ON_CLIENT: gettext("%(stage)s is waiting on you. See what to do on your status page."),
        StageState.IN_PROGRESS: gettext("We started working on %(stage)s."),
        StageState.COMPLETED: gettext("%(stage)s is complete."),
        StageState.EXEMPTED: gettext("You do not need %(stage)s for this application."),
    }
    return sentences[StageState(state)] % {"stage": stage_name}


def default_messages(*, stage: Stage, state: str) -> tuple[str, str]:
    """Return the (English, French) message for `stage` reaching `state`."""
    return in_both_languages(lambda: _sentence(stage_name=stage.localized("name"), state=state))


def _status_sentence(status: str) -> str:
    sentences = {
        "received": gettext("We received your application."),
        "in_progress": gettext("We are processing your application."),
    }
    return sentences[status]


def _outcome_sentence(outcome: str) -> str:
    sentences = {
        "approved": gettext("A decision was made: your application is approved. See the next steps."),
        "refused": gettext("A decision was made: your application is refused. Read the reasons and your options."),
        "withdrawn": gettext("Your application was withdrawn. We will not process it further."),
    }
    return sentences[outcome]


def status_messages(*, status: str) -> tuple[str, str]:
    """Return the (English, French) message for the overall status becoming `status`."""
    return in_both_languages(lambda: _status_sentence(status))


def outcome_messages(*, outcome: str) -> tuple[str, str]:
    """Return the (English, French) message for a decision with `outcome`."""
    return in_both_languages(lambda: _outcome_sentence(outcome))


def event_messages(*, event, stage: Stage | None, cache: dict[tuple, tuple[str, str]]) -> tuple[str, str]:
    """Upstream's own (English, French) wording of an event when it gave both, else the portal's.

    `cache` is shared across one batch, so each default wording is rendered once.
    """
    if event.message_en and event.message_fr:
        return event.message_en, event.message_fr
    if stage is not None and event.kind in (EventKind.STAGE, EventKind.ACTION_REQUIRED):
        key: tuple = ("stage", stage.pk, event.state)
        if key not in cache:
            cache[key] = default_messages(stage=stage, state=event.state)
    elif event.kind == EventKind.STATUS:
        key = ("status", event.status)
        if key not in cache:
            cache[key] = status_messages(status=event.status)
    else:
        key = ("outcome", event.outcome)
        if key not in cache:
            cache[key] = outcome_messages(outcome=event.outcome)
    return cache[key]
