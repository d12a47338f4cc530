"""The portal's own plain-language wording for a stage reaching a state.

Used when upstream sends no message of its own. Both languages are rendered
at write time and stored, so history reads the same forever after.
"""

from django.utils import translation
from django.utils.translation import gettext

from applications.models import Stage
from status_tracker.models import StageState


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
    with translation.override("en"):
        english = _sentence(stage_name=stage.name_en, state=state)
    with translation.override("fr"):
        french = _sentence(stage_name=stage.name_fr, state=state)
    return english, french
