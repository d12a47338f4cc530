"""The API's quick check of the common stage event gives what the serializer gives, or leaves the item to it."""

import datetime

import pytest
from django.utils import timezone, translation

from status_tracker.api.events import _EventValidator

pytestmark = pytest.mark.django_db

RECENT = (timezone.now() - datetime.timedelta(hours=1)).replace(microsecond=123000)
PLAIN = {
    "event_id": "gcms-2026-000123",
    "application_number": "e100000001",
    "occurred_at": RECENT.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
    "kind": "stage",
    "stage": "biometrics",
    "state": "waiting_on_client",
}


def variant(**changes):
    item = dict(PLAIN)
    for name, value in changes.items():
        if value is None:
            item.pop(name)
        else:
            item[name] = value
    return item


TAKEN = [
    PLAIN,
    variant(occurred_at=RECENT.astimezone(datetime.timezone(datetime.timedelta(hours=-5))).isoformat()),
    variant(occurred_at=RECENT.strftime("%Y-%m-%dt%H:%M:%S.%fz")),  # lower-case t and z, as RFC 3339 allows
    variant(state="completed", stage="medical-exam_2"),
    variant(event_id="A" * 64),
]
LEFT_TO_THE_SERIALIZER = [
    variant(application_number=" E100000001 "),  # trimmed by the serializer
    variant(event_id=" gcms-1"),
    variant(stage="biometrics\n"),
    variant(visible_to_client=False),  # another key
    variant(message={"en": "Hello", "fr": "Bonjour"}),
    variant(state=None),
    variant(kind="status"),
    variant(state="nonsense"),
    variant(event_id="A" * 65),
    variant(event_id="-starts-with-a-hyphen"),
    variant(stage="bio metrics"),
    variant(application_number="E" * 21),
    variant(application_number=""),
    variant(application_number="E1\x00"),
    variant(application_number="E1\ud800"),
    variant(occurred_at="2026-03-01T14:30:00"),  # no offset
    variant(occurred_at="2099-01-01T00:00:00Z"),  # future
    variant(occurred_at="1999-12-31T23:59:59Z"),
    variant(occurred_at="yesterday"),
    variant(stage=7),
    ["not", "an", "object"],
]


def through_the_serializer(item):
    validator = _EventValidator()
    try:
        validator._validated_data = validator.run_validation(item)
    except Exception as error:  # noqa: BLE001 - compared, not handled
        return type(error).__name__, getattr(error, "detail", None)
    return validator.to_event()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("item", TAKEN)
def test_a_plain_stage_event_comes_out_as_the_serializer_makes_it(item, language):
    with translation.override(language):
        quick = _EventValidator()._plain_stage_event(item)
        assert quick is not None
        assert quick == through_the_serializer(item)
        assert quick.occurred_at.utcoffset() == through_the_serializer(item).occurred_at.utcoffset()


@pytest.mark.parametrize("item", LEFT_TO_THE_SERIALIZER)
def test_anything_else_is_left_to_the_serializer_and_answered_by_it(item):
    validator = _EventValidator()
    assert validator._plain_stage_event(item) is None
    try:
        answered = validator.event_from(item)
    except Exception as error:  # noqa: BLE001 - compared, not handled
        answered = (type(error).__name__, getattr(error, "detail", None))
    assert answered == through_the_serializer(item)
