from datetime import date

from domain.pricing import HolidayCalendar, LongWeekend

# 2026: Thursday 9 July (Independence) and Friday 10 July (a "feriado puente").
JULY = HolidayCalendar(frozenset({date(2026, 7, 9), date(2026, 7, 10)}))


def test_a_holiday_next_to_a_weekend_makes_a_long_weekend_whose_nights_start_on_its_eve() -> None:
    weekend = JULY.long_weekend_of_night(date(2026, 7, 8))
    assert weekend == LongWeekend(date(2026, 7, 9), date(2026, 7, 12))
    assert (weekend.first_night, weekend.last_night) == (date(2026, 7, 8), date(2026, 7, 11))
    for night in (date(2026, 7, 9), date(2026, 7, 10), date(2026, 7, 11)):
        assert JULY.long_weekend_of_night(night) == weekend
    assert JULY.long_weekend_of_night(date(2026, 7, 12)) is None  # Monday is a working day
    assert JULY.long_weekend_of_night(date(2026, 7, 7)) is None


def test_a_plain_weekend_or_a_midweek_holiday_is_not_a_long_weekend() -> None:
    calendar = HolidayCalendar(frozenset({date(2027, 3, 24)}))  # a Wednesday
    assert calendar.long_weekend_of_night(date(2027, 3, 23)) is None
    assert calendar.long_weekend_of_night(date(2027, 3, 19)) is None  # Friday night
    assert calendar.long_weekends(date(2027, 3, 1), date(2027, 3, 31)) == ()


def test_the_owner_adds_and_removes_dates() -> None:
    local = JULY.adjusted(added=[date(2026, 7, 13)], removed=[date(2026, 7, 10)])
    assert local.holidays == frozenset({date(2026, 7, 9), date(2026, 7, 13)})
    # Thursday alone is cut off from the weekend by a working Friday; Sat–Mon is one.
    assert local.long_weekend_of_night(date(2026, 7, 8)) is None
    assert local.long_weekends(date(2026, 7, 1), date(2026, 7, 31)) == (
        LongWeekend(date(2026, 7, 11), date(2026, 7, 13)),
    )


def test_a_date_both_added_and_removed_is_removed() -> None:
    cal = HolidayCalendar().adjusted(added=[date(2026, 5, 4)], removed=[date(2026, 5, 4)])
    assert cal.holidays == frozenset()


def test_long_weekends_in_a_span_are_listed_once_each_in_order() -> None:
    cal = HolidayCalendar(frozenset({date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 25)}))
    assert cal.long_weekends(date(2026, 12, 1), date(2026, 12, 31)) == (
        LongWeekend(date(2026, 12, 5), date(2026, 12, 8)),
        LongWeekend(date(2026, 12, 25), date(2026, 12, 27)),
    )
