from dataclasses import fields
from datetime import date

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.external_calendar import (
    MAX_UID_LENGTH,
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    FeedUnparseable,
    classify,
)
from domain.stay import Stay

RESERVED = ExternalEventKind.RESERVED
UNAVAILABLE = ExternalEventKind.UNAVAILABLE
STAY = Stay(date(2026, 12, 18), date(2026, 12, 21))


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("Reserved", RESERVED),
        ("Airbnb (Not available)", UNAVAILABLE),
        ("AIRBNB (NOT AVAILABLE)", UNAVAILABLE),
        ("Not available", UNAVAILABLE),
        ("  Airbnb (Not available)\n", UNAVAILABLE),
        ("", RESERVED),
        ("Something Airbnb invents next year", RESERVED),
    ],
)
def test_airbnb_blocks_are_told_from_bookings_by_summary(
    summary: str, kind: ExternalEventKind
) -> None:
    assert classify(summary, ExternalSource.AIRBNB) is kind


@pytest.mark.parametrize("summary", ["CLOSED - Not available", "Not available", "", "Reserved"])
def test_booking_events_are_all_reservations_because_booking_labels_them_all_closed(
    summary: str,
) -> None:
    assert classify(summary, ExternalSource.BOOKING) is RESERVED


@pytest.mark.parametrize("source", [ExternalSource.GOOGLE, ExternalSource.OTHER])
@pytest.mark.parametrize("summary", ["Familia Pérez", "Bloqueado", "Cerrado por mantenimiento", ""])
def test_owner_calendars_take_every_event_as_reserved(source: ExternalSource, summary: str) -> None:
    assert classify(summary, source) is RESERVED


def test_not_available_windows_from_other_platforms_are_not_bookings() -> None:
    assert classify("Airbnb (Not available)", ExternalSource.OTHER) is ExternalEventKind.UNAVAILABLE
    assert classify("Not available", ExternalSource.GOOGLE) is RESERVED  # the owner's own text


def test_enum_values_are_the_stored_strings() -> None:
    assert [s.value for s in ExternalSource] == ["airbnb", "booking", "google", "other"]
    assert [k.value for k in ExternalEventKind] == ["reserved", "unavailable"]


def test_an_external_event_keeps_no_summary_or_description() -> None:
    assert [f.name for f in fields(ExternalEvent)] == ["uid", "stay", "kind"]


@pytest.mark.parametrize("uid", ["", "   ", " padded@airbnb.com", "x" * (MAX_UID_LENGTH + 1)])
def test_an_external_event_needs_a_clean_bounded_uid(uid: str) -> None:
    with pytest.raises(InvalidValue):
        ExternalEvent(uid=uid, stay=STAY, kind=RESERVED)


def test_an_external_event_is_an_immutable_value() -> None:
    event = ExternalEvent(uid="a@airbnb.com", stay=STAY, kind=RESERVED)
    assert event == ExternalEvent(uid="a@airbnb.com", stay=STAY, kind=RESERVED)
    with pytest.raises(AttributeError):
        event.uid = "b@airbnb.com"  # type: ignore[misc]


def test_an_unreadable_feed_is_a_rule_violation_with_a_stable_code() -> None:
    error = FeedUnparseable("The calendar feed is empty.")
    assert isinstance(error, RuleViolation)
    assert error.code == "ical_unparseable"
    assert error.message == "The calendar feed is empty."
