from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.pricing import DayMonth, InvalidPriceRule, RecurringRange


def test_a_range_wrapping_the_new_year_covers_both_ends() -> None:
    summer = RecurringRange.parse("15/12", "28/02")
    assert summer.wraps
    assert summer.contains(date(2026, 12, 15))
    assert summer.contains(date(2026, 12, 31))
    assert summer.contains(date(2027, 1, 1))
    assert summer.contains(date(2027, 2, 28))
    assert summer.contains(date(2028, 2, 29))  # 28/02 means the end of February
    assert not summer.contains(date(2027, 3, 1))
    assert not summer.contains(date(2026, 12, 14))
    assert len(summer.days()) == 17 + 31 + 29


def test_a_range_within_the_year() -> None:
    winter = RecurringRange.parse("13/07", "31/07")
    assert not winter.wraps
    assert winter.contains(date(2026, 7, 13))
    assert winter.contains(date(2027, 7, 31))
    assert not winter.contains(date(2026, 8, 1))
    assert not winter.contains(date(2026, 7, 12))
    assert str(winter) == "13/07–31/07"


@pytest.mark.parametrize("text", ["31/02", "0/1", "15-12", "12", "aa/bb", "32/01", "15/13"])
def test_not_a_day_of_the_year_is_refused(text: str) -> None:
    with pytest.raises(InvalidPriceRule):
        DayMonth.parse(text)


def test_29_february_is_a_day_of_the_year() -> None:
    assert DayMonth.parse("29/02") == DayMonth(2, 29)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
)
def test_contains_agrees_with_the_days_it_covers(first: date, last: date, night: date) -> None:
    dates = RecurringRange(DayMonth.of(first), DayMonth.of(last))
    assert dates.contains(night) == (DayMonth.of(night) in dates.days())


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)),
    st.integers(0, 365),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(-30, 30),
)
def test_the_same_answer_every_year(first: date, length: int, night: date, years: int) -> None:
    dates = RecurringRange(DayMonth.of(first), DayMonth.of(first + timedelta(days=length)))
    if (night.month, night.day) == (2, 29):
        night = night - timedelta(days=1)
    assert dates.contains(night) == dates.contains(night.replace(year=night.year + years))
