from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar_sync.external_calendar import (
    MAX_UID_LENGTH,
    ExternalEvent,
    ExternalEventKind,
    ExternalSource,
    FeedUnparseable,
    FeedWindow,
    ReleaseGuard,
    classify,
    future_nights,
)
from domain.errors import InvalidValue, RuleViolation
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


# --- the release guard and the feed window ---

D0 = date(2027, 1, 1)


def days(first: int, count: int) -> set[date]:
    return {D0 + timedelta(days=first + i) for i in range(count)}


def test_future_nights_start_today_and_merge_overlaps() -> None:
    stays = [Stay(date(2026, 12, 30), date(2027, 1, 3)), Stay(date(2027, 1, 2), date(2027, 1, 5))]
    assert future_nights(stays, D0) == days(0, 4)


@pytest.mark.parametrize(
    ("held", "kept", "suspicious"),
    [
        (days(0, 10), set(), True),  # the feed had future nights and now has none
        (days(0, 10), days(50, 2), True),  # every held night freed, only new ones left
        (days(0, 10), days(0, 4), True),  # 6 of 10 freed: more than half
        (days(0, 10), days(0, 5), False),  # exactly half: a normal cancellation
        (days(0, 10), days(0, 10), False),  # nothing freed
        (set(), set(), False),  # nothing held
        (days(0, 10), days(0, 10) | days(30, 5), False),  # only additions
    ],
)
def test_what_the_guard_finds_suspicious(
    held: set[date], kept: set[date], suspicious: bool
) -> None:
    assert ReleaseGuard().suspicious(held=held, kept=kept) is suspicious


@given(
    held=st.sets(st.integers(0, 60)),
    kept=st.sets(st.integers(0, 60)),
    fraction=st.floats(0.01, 1.0),
)
def test_the_guard_never_lets_an_emptied_feed_or_a_large_release_through(
    held: set[int], kept: set[int], fraction: float
) -> None:
    held_nights = {D0 + timedelta(days=n) for n in held}
    kept_nights = {D0 + timedelta(days=n) for n in kept}
    freed = len(held_nights - kept_nights)
    verdict = ReleaseGuard(max_fraction=fraction).suspicious(held=held_nights, kept=kept_nights)
    if freed and (not kept_nights or freed > fraction * len(held_nights)):
        assert verdict
    else:
        assert not verdict


def test_a_hold_is_confirmed_by_the_same_answer_seen_enough_times_over_long_enough() -> None:
    guard = ReleaseGuard(confirmations=3, min_hours=1)
    t0 = datetime(2027, 1, 1, 12, tzinfo=UTC)
    hold = guard.sighting(None, "a", 10, t0)
    assert (hold.seen, hold.since) == (1, t0)
    for minutes in (5, 10, 15):
        hold = guard.sighting(hold, "a", 10, t0 + timedelta(minutes=minutes))
    assert hold.seen == 4
    assert not guard.confirmed(hold, t0 + timedelta(minutes=59))  # seen enough, too soon
    assert guard.confirmed(hold, t0 + timedelta(hours=1))
    fewer = guard.sighting(guard.sighting(None, "a", 10, t0), "a", 10, t0 + timedelta(hours=2))
    assert not guard.confirmed(fewer, t0 + timedelta(hours=2))  # long enough, seen too few
    other = guard.sighting(hold, "b", 3, t0 + timedelta(hours=2))
    assert (other.seen, other.since, other.nights) == (1, t0 + timedelta(hours=2), 3)


@pytest.mark.parametrize(
    "kwargs", [{"max_fraction": 0}, {"max_fraction": 1.5}, {"confirmations": -1}, {"min_hours": -1}]
)
def test_a_guard_with_impossible_settings_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidValue):
        ReleaseGuard(**kwargs)  # type: ignore[arg-type]


def test_the_feed_window_reaches_the_last_bookable_night() -> None:
    window = FeedWindow.around(D0, horizon_days=548, max_nights=30)
    assert window.since == D0 - timedelta(days=3)
    assert window.until == D0 + timedelta(days=579)
    with pytest.raises(InvalidValue):
        FeedWindow(D0, D0)
