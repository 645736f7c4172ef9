from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidStay
from domain.stay import Stay

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
lengths = st.integers(min_value=1, max_value=60)


@st.composite
def stays(draw: st.DrawFn) -> Stay:
    start = draw(days)
    return Stay(start, start + timedelta(days=draw(lengths)))


def test_nights_count_the_check_out_day_out() -> None:
    stay = Stay(date(2026, 12, 18), date(2026, 12, 21))
    assert stay.nights == 3
    assert list(stay.each_night()) == [date(2026, 12, 18), date(2026, 12, 19), date(2026, 12, 20)]


@pytest.mark.parametrize("check_out", [date(2026, 12, 18), date(2026, 12, 17)])
def test_check_out_must_be_after_check_in(check_out: date) -> None:
    with pytest.raises(InvalidStay, match="must be after"):
        Stay(date(2026, 12, 18), check_out)


def test_back_to_back_stays_do_not_overlap() -> None:
    first = Stay(date(2026, 12, 18), date(2026, 12, 21))
    second = Stay(date(2026, 12, 21), date(2026, 12, 23))
    assert not first.overlaps(second)
    assert not second.overlaps(first)


def test_one_shared_night_overlaps() -> None:
    assert Stay(date(2026, 12, 18), date(2026, 12, 21)).overlaps(
        Stay(date(2026, 12, 20), date(2026, 12, 22))
    )


@given(stays(), stays())
def test_overlap_is_symmetric(a: Stay, b: Stay) -> None:
    assert a.overlaps(b) == b.overlaps(a)


@given(stays(), stays())
def test_overlap_means_a_shared_night(a: Stay, b: Stay) -> None:
    shared = set(a.each_night()) & set(b.each_night())
    assert a.overlaps(b) == bool(shared)


@given(stays())
def test_nights_equal_the_nights_listed(stay: Stay) -> None:
    nights = list(stay.each_night())
    assert len(nights) == stay.nights
    assert all(stay.contains_night(n) for n in nights)
    assert not stay.contains_night(stay.check_out)


@given(stays())
def test_a_stay_overlaps_itself(stay: Stay) -> None:
    assert stay.overlaps(stay)
