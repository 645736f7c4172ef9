"""The holiday source against the library's real Argentine data for 2026 and 2027."""

from datetime import date

from adapters.python_holidays.source import LibraryHolidays
from application.ports.holidays import HolidaySource
from domain.pricing import HolidayCalendar, LongWeekend


async def _calendar(source: HolidaySource, year: int) -> HolidayCalendar:
    return await source.calendar(date(year, 1, 1), date(year, 12, 31))


async def test_argentine_holidays_of_2026_and_2027() -> None:
    cal = await _calendar(LibraryHolidays(), 2026)
    for day in (
        date(2026, 2, 16),  # Carnival Monday
        date(2026, 2, 17),  # Carnival Tuesday
        date(2026, 3, 24),  # Memoria, Verdad y Justicia
        date(2026, 7, 9),  # Independence
        date(2026, 12, 25),
        date(2027, 1, 1),  # next year's first, for the new-year long weekend
        date(2027, 2, 8),  # Carnival 2027
        date(2027, 3, 24),
        date(2027, 7, 9),
    ):
        assert day in cal.holidays, day
    assert date(2026, 3, 25) not in cal.holidays
    assert date(2025, 12, 25) in cal.holidays  # the year before, for a straddling weekend


async def test_long_weekends_of_2026_derived_from_the_library() -> None:
    cal = await _calendar(LibraryHolidays(), 2026)
    weekends = cal.long_weekends(date(2026, 1, 1), date(2026, 12, 31))
    assert LongWeekend(date(2026, 2, 14), date(2026, 2, 17)) in weekends  # Carnival
    assert LongWeekend(date(2026, 3, 21), date(2026, 3, 24)) in weekends  # bridge Monday 23
    assert LongWeekend(date(2026, 7, 9), date(2026, 7, 12)) in weekends  # Thu 9 + bridge Fri 10
    assert LongWeekend(date(2026, 12, 25), date(2026, 12, 27)) in weekends
    # Thursday 1 January 2026 stands alone: Friday 2 is a working day.
    assert all(w.first_day != date(2026, 1, 1) for w in weekends)
    assert cal.long_weekend_of_night(date(2026, 3, 20)) is not None  # Friday night, its eve


async def test_2027_24_march_joins_easter_and_a_midweek_holiday_stands_alone() -> None:
    cal = await _calendar(LibraryHolidays(), 2027)
    # Wednesday 24 March, Holy Thursday and Good Friday, then the weekend: five days off.
    assert cal.long_weekend_of_night(date(2027, 3, 23)) == LongWeekend(
        date(2027, 3, 24), date(2027, 3, 28)
    )
    assert cal.long_weekend_of_night(date(2027, 12, 7)) is None  # Wednesday 8 December
    assert cal.long_weekend_of_night(date(2027, 7, 8)) == LongWeekend(
        date(2027, 7, 9), date(2027, 7, 11)
    )


async def test_the_owners_additions_and_removals_apply() -> None:
    source = LibraryHolidays(added=[date(2026, 3, 19)], removed=[date(2026, 7, 10)])
    cal = await _calendar(source, 2026)
    assert date(2026, 3, 19) in cal.holidays  # e.g. a town's patron saint (San José)
    assert date(2026, 7, 10) not in cal.holidays
    # Without the bridge Friday, Thursday 9 July is cut off from the weekend.
    assert cal.long_weekend_of_night(date(2026, 7, 8)) is None


async def test_a_stay_across_the_new_year_sees_both_years() -> None:
    cal = await LibraryHolidays().calendar(date(2026, 12, 30), date(2027, 1, 2))
    assert cal.long_weekend_of_night(date(2026, 12, 31)) == LongWeekend(
        date(2027, 1, 1), date(2027, 1, 3)
    )
