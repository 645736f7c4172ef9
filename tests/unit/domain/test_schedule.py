"""When scheduled messages are due: by the Argentine clock (UTC-3), whatever the UTC date."""

from datetime import UTC, date, datetime, time

import pytest

from domain.calendar import ARGENTINA
from domain.errors import InvalidValue
from domain.messaging.schedule import Scheduled, ScheduleRules
from domain.stay import Stay

RULES = ScheduleRules()  # 2 days, 7 days, guests from 10:00, check-out eve 19:00, summary 08:00
STAY = Stay(date(2026, 12, 18), date(2026, 12, 21))


def art(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ARGENTINA)


def due(kind: Scheduled, at: datetime, rules: ScheduleRules = RULES) -> bool:
    return rules.is_due(kind, STAY, at)


def test_the_pre_arrival_opens_two_local_days_before_check_in_at_ten() -> None:
    assert not due(Scheduled.PRE_ARRIVAL, art(16, 9, 59))
    assert due(Scheduled.PRE_ARRIVAL, art(16, 10, 0))
    # 02:30 UTC on the 16th is still the night of the 15th in Argentina: not yet.
    assert not due(Scheduled.PRE_ARRIVAL, datetime(2026, 12, 16, 2, 30, tzinfo=UTC))
    assert due(Scheduled.PRE_ARRIVAL, datetime(2026, 12, 16, 13, 0, tzinfo=UTC))  # 10:00 ART
    assert due(Scheduled.PRE_ARRIVAL, art(18, 21, 59))  # still on the check-in day
    assert not due(Scheduled.PRE_ARRIVAL, art(18, 22, 0))  # never at night
    assert not due(Scheduled.PRE_ARRIVAL, art(19, 10, 0))  # the stay began: too late
    assert not due(Scheduled.PRE_ARRIVAL, art(15, 12, 0))
    assert due(Scheduled.PRE_ARRIVAL, art(18, 10), ScheduleRules(pre_arrival_days=0))
    assert not due(Scheduled.PRE_ARRIVAL, art(17, 12), ScheduleRules(pre_arrival_days=0))


def test_guest_messages_are_quiet_at_night_even_inside_their_window() -> None:
    for hour in (22, 23, 0, 3, 9):
        assert not due(Scheduled.PRE_ARRIVAL, art(17, hour))
        assert not due(Scheduled.BALANCE_REMINDER, art(14, hour))
    assert due(Scheduled.PRE_ARRIVAL, art(17, 12))


def test_the_balance_reminder_runs_from_seven_days_before_until_the_day_before() -> None:
    assert not due(Scheduled.BALANCE_REMINDER, art(10, 21))
    assert not due(Scheduled.BALANCE_REMINDER, art(11, 9, 59))
    assert due(Scheduled.BALANCE_REMINDER, art(11, 10))
    assert due(Scheduled.BALANCE_REMINDER, art(17, 21, 59))
    assert not due(Scheduled.BALANCE_REMINDER, art(18, 10))  # arriving: not "before" any more


def test_the_balance_reminder_goes_its_days_before_the_balance_is_due() -> None:
    """Due 7 days before the check-in of the 18th (the 11th): the reminder opens 7 days
    before that, on the 4th, and the days read ahead reach that far."""
    rules = ScheduleRules(balance_due_days=7)
    stay = STAY
    assert not rules.is_due(Scheduled.BALANCE_REMINDER, stay, art(3, 12))
    assert rules.is_due(Scheduled.BALANCE_REMINDER, stay, art(4, 10))
    assert rules.is_due(Scheduled.BALANCE_REMINDER, stay, art(17, 12))
    assert rules.arrivals_to_consider(art(4, 12)) == (date(2026, 12, 4), date(2026, 12, 18))


def test_the_check_out_reminder_is_the_evening_before_check_out() -> None:
    assert not due(Scheduled.CHECK_OUT_REMINDER, art(20, 18, 59))
    assert due(Scheduled.CHECK_OUT_REMINDER, art(20, 19, 0))
    # 00:59 UTC on the 21st (the check-out day) is 21:59 of the 20th in Argentina.
    assert due(Scheduled.CHECK_OUT_REMINDER, datetime(2026, 12, 21, 0, 59, tzinfo=UTC))
    assert not due(Scheduled.CHECK_OUT_REMINDER, datetime(2026, 12, 21, 1, 0, tzinfo=UTC))
    assert not due(Scheduled.CHECK_OUT_REMINDER, art(21, 8))  # not on the morning itself
    assert not due(Scheduled.CHECK_OUT_REMINDER, art(19, 20))


def test_the_thank_you_goes_the_day_after_check_out_or_the_next() -> None:
    assert not due(Scheduled.THANK_YOU, art(21, 12))
    assert not due(Scheduled.THANK_YOU, art(22, 9, 59))
    assert due(Scheduled.THANK_YOU, art(22, 10))
    assert due(Scheduled.THANK_YOU, art(23, 21, 59))
    assert not due(Scheduled.THANK_YOU, art(24, 10))


def test_the_summary_is_due_from_its_hour_until_the_local_day_ends() -> None:
    assert RULES.summary_due(art(1, 7, 59)) is None
    assert RULES.summary_due(art(1, 8, 0)) == date(2026, 12, 1)
    # 02:59 UTC on the 2nd is 23:59 of the 1st in Argentina: the 1st's summary.
    assert RULES.summary_due(datetime(2026, 12, 2, 2, 59, tzinfo=UTC)) == date(2026, 12, 1)
    assert RULES.summary_due(datetime(2026, 12, 2, 3, 0, tzinfo=UTC)) is None  # 00:00 ART
    late = ScheduleRules(daily_summary_at=time(23, 30))
    assert late.summary_due(art(1, 23, 29)) is None
    assert late.summary_due(art(1, 23, 30)) == date(2026, 12, 1)


def test_the_days_to_read_cover_every_due_message() -> None:
    now = art(16, 12)  # pre-arrival of the 18th due; balances up to the 23rd
    assert RULES.arrivals_to_consider(now) == (date(2026, 12, 16), date(2026, 12, 23))
    assert RULES.departures_to_consider(now) == (date(2026, 12, 14), date(2026, 12, 17))
    # Near midnight UTC the local day is the one read.
    assert RULES.arrivals_to_consider(datetime(2026, 12, 17, 1, 0, tzinfo=UTC))[0] == date(
        2026, 12, 16
    )


@pytest.mark.parametrize(
    "values",
    [
        {"pre_arrival_days": -1},
        {"pre_arrival_days": 61},
        {"balance_reminder_days": 0},
        {"balance_due_days": -1},
        {"check_out_reminder_at": time(22, 30)},
        {"guest_messages_at": time(20, 0)},  # after the check-out reminder's hour
    ],
)
def test_rules_out_of_range_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        ScheduleRules(**values)  # type: ignore[arg-type]
