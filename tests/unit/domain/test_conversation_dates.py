from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.conversation.date_query import DateAmbiguity, DateQuery
from domain.conversation.dates import read_dates
from domain.conversation.long_weekends import easter
from domain.errors import InvalidStay, InvalidValue
from tests.unit.domain.builders import ARGENTINE_HOLIDAYS

SATURDAY = date(2026, 11, 28)
WEDNESDAY = date(2026, 12, 9)
MONTH_NAMES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def stay(text: str, today: date = SATURDAY) -> tuple[date | None, date | None]:
    found = read_dates(text, today)
    assert found is not None, text
    assert found.ambiguity is None, found.ambiguity
    return found.check_in, found.check_out


def ambiguity(text: str, today: date = SATURDAY) -> DateAmbiguity | None:
    found = read_dates(text, today)
    assert found is not None, text
    return found.ambiguity


@pytest.mark.parametrize(
    "text",
    ["del 15 al 18 de diciembre", "15/12 al 18/12", "15-12 al 18-12-2026", "del 15-18 dic"],
)
def test_the_same_stay_written_in_different_ways(text: str) -> None:
    assert stay(text) == (date(2026, 12, 15), date(2026, 12, 18))


def test_a_range_crosses_the_year() -> None:
    assert stay("del 30 de diciembre al 2 de enero") == (date(2026, 12, 30), date(2027, 1, 2))
    assert stay("del 26/12 al 2/1") == (date(2026, 12, 26), date(2027, 1, 2))


def test_a_range_without_months_crosses_the_month_end() -> None:
    assert stay("del 28 al 3", WEDNESDAY) == (date(2026, 12, 28), date(2027, 1, 3))
    # Said on the 28th itself, the 28th is today: a same-day check-in.
    assert stay("del 28 al 3", SATURDAY) == (date(2026, 11, 28), date(2026, 12, 3))


def test_the_month_written_once_at_the_end_covers_both_days() -> None:
    assert stay("del 28 al 3 de enero") == (date(2026, 12, 28), date(2027, 1, 3))


@pytest.mark.parametrize(
    ("text", "check_in"),
    [
        ("15/3", date(2027, 3, 15)),  # March is over this year: next March
        ("el 5 de septiembre", date(2027, 9, 5)),  # passed 84 days ago: next September
        ("el 28 de noviembre", date(2026, 11, 28)),  # today still counts
        ("el 15", date(2026, 12, 15)),  # a day alone is its next occurrence
        ("el 31", date(2026, 12, 31)),
        ("15/12/26", date(2026, 12, 15)),
    ],
)
def test_dates_without_a_year_never_fall_in_the_past(text: str, check_in: date) -> None:
    assert stay(text)[0] == check_in


def test_a_day_alone_skips_months_that_lack_it() -> None:
    assert stay("el 31", date(2027, 2, 5))[0] == date(2027, 3, 31)


def test_dates_long_past_this_year_move_the_whole_range() -> None:
    assert stay("del 10 al 12 de septiembre") == (date(2027, 9, 10), date(2027, 9, 12))


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("del 1 al 3 de diciembre", date(2026, 12, 3)),  # review H2: was held for 2027
        ("del 2 al 4 de diciembre", date(2026, 12, 3)),  # a stay that would include tonight
        ("del 10 al 12 de noviembre", date(2026, 12, 3)),
        ("el 5 de noviembre", SATURDAY),
        ("1/12 al 3/12", date(2026, 12, 3)),
        ("del 28 al 3 de enero", date(2027, 1, 10)),  # across the year, 13 days ago
        ("el 4 de octubre", date(2026, 12, 3)),  # 60 days ago: the last day still "passed"
    ],
)
def test_dates_passed_lately_are_said_to_have_passed_not_moved_a_year(
    text: str, today: date
) -> None:
    found = read_dates(text, today)
    assert found is not None
    assert found.ambiguity is DateAmbiguity.PAST_DATE
    assert found.check_in is None


def test_dates_passed_more_than_two_months_ago_mean_next_year() -> None:
    assert stay("el 3 de octubre", date(2026, 12, 3))[0] == date(2027, 10, 3)  # 61 days ago


# One week, Monday 30 Nov to Sunday 6 Dec 2026: (today, "el finde", "el finde que viene").
WEEK = [
    (date(2026, 11, 30), date(2026, 12, 4), date(2026, 12, 4)),
    (date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 4)),
    (date(2026, 12, 2), date(2026, 12, 4), date(2026, 12, 4)),
    (date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 4)),
    (date(2026, 12, 4), date(2026, 12, 4), date(2026, 12, 11)),
    (date(2026, 12, 5), date(2026, 12, 5), date(2026, 12, 11)),  # Saturday: tonight only
    (date(2026, 12, 6), date(2026, 12, 11), date(2026, 12, 11)),  # Sunday: the next one
]


@pytest.mark.parametrize(("today", "this_weekend", "next_weekend"), WEEK)
def test_weekend_depends_on_the_day_it_is_said(
    today: date, this_weekend: date, next_weekend: date
) -> None:
    this_sunday = this_weekend + timedelta(days=(6 - this_weekend.weekday()))
    assert stay("el finde", today) == (this_weekend, this_sunday)
    assert stay("este fin de semana", today) == (this_weekend, this_sunday)
    next_sunday = next_weekend + timedelta(days=2)
    assert stay("el finde que viene", today) == (next_weekend, next_sunday)
    assert stay("el proximo finde", today) == (next_weekend, next_sunday)


def long_stay(text: str, today: date) -> tuple[date | None, date | None]:
    found = read_dates(text, today, ARGENTINE_HOLIDAYS)
    assert found is not None, text
    assert found.ambiguity is None, found.ambiguity
    return found.check_in, found.check_out


def long_ambiguity(text: str, today: date) -> DateAmbiguity | None:
    found = read_dates(text, today, ARGENTINE_HOLIDAYS)
    assert found is not None, text
    return found.ambiguity


# Review M2, said on Thursday 3 December 2026: "el finde largo" was Fri 04/12 → Mon 07/12, but
# Monday 7 is a bridge day and Tuesday 8 a holiday: the long weekend is Sat 5 – Tue 8.
@pytest.mark.parametrize(
    ("today", "check_in", "check_out"),
    [
        (date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 8)),
        (date(2026, 12, 4), date(2026, 12, 4), date(2026, 12, 8)),  # its eve: tonight
        (date(2026, 12, 6), date(2026, 12, 6), date(2026, 12, 8)),  # under way: what is left
        # Its last day off has no night left: the next one, Christmas (Fri 25 – Sun 27).
        (date(2026, 12, 8), date(2026, 12, 24), date(2026, 12, 27)),
        # A Thursday holiday and a Friday bridge day: Thu 9 – Sun 12 July.
        (date(2026, 7, 1), date(2026, 7, 8), date(2026, 7, 12)),
        # Monday 23 (bridge) and Tuesday 24 March: Sat 21 – Tue 24.
        (date(2026, 3, 16), date(2026, 3, 20), date(2026, 3, 24)),
    ],
)
def test_the_long_weekend_is_the_next_one_on_the_holiday_calendar(
    today: date, check_in: date, check_out: date
) -> None:
    assert long_stay("hola, tienen lugar para 4 el finde largo?", today) == (check_in, check_out)
    assert long_stay("el fin de semana largo", today) == (check_in, check_out)


def test_the_next_long_weekend_skips_one_already_under_way() -> None:
    thursday, saturday = date(2026, 12, 3), date(2026, 12, 5)
    assert long_stay("el proximo finde largo", thursday) == (date(2026, 12, 4), date(2026, 12, 8))
    assert long_stay("el finde largo que viene", saturday) == (
        date(2026, 12, 24),
        date(2026, 12, 27),
    )


def test_without_a_long_weekend_in_the_coming_weeks_it_is_asked_back() -> None:
    # After 16 August 2027 the next one is 9–11 October: too far to be "el finde largo".
    assert long_ambiguity("el finde largo", date(2027, 8, 20)) is DateAmbiguity.NO_LONG_WEEKEND
    # Without the holiday calendar it is never an ordinary Friday to Monday.
    found = read_dates("el finde largo", date(2026, 12, 3))
    assert found is not None
    assert found.ambiguity is DateAmbiguity.NO_LONG_WEEKEND


@pytest.mark.parametrize(
    "text",
    [
        "tienen lugar para el feriado?",
        "el puente",
        "este feriado",
        "el próximo feriado",
        "el finde del feriado",
        "para el fin de semana del feriado somos 4",
        "el feriado largo",
        "el finde puente",
    ],
)
def test_the_holiday_and_the_bridge_are_the_next_long_weekend(text: str) -> None:
    """Review: "el feriado", "el puente", "el finde del feriado" went unread (or were an
    ordinary Friday to Sunday): guests mean the long weekend, as "el finde largo"."""
    today = date(2026, 12, 1)
    assert long_stay(text, today) == long_stay("el finde largo", today)
    assert long_stay(text, today) == (date(2026, 12, 4), date(2026, 12, 8))


def test_the_next_holiday_skips_one_under_way_and_none_coming_is_asked_back() -> None:
    saturday = date(2026, 12, 5)  # 5–8 December under way
    assert long_stay("el proximo feriado", saturday) == (date(2026, 12, 24), date(2026, 12, 27))
    assert long_stay("el feriado que viene", saturday) == (date(2026, 12, 24), date(2026, 12, 27))
    assert long_stay("este feriado", saturday) == (date(2026, 12, 5), date(2026, 12, 8))
    assert long_stay("el feriado del 9 de julio", saturday) == (date(2027, 7, 8), date(2027, 7, 11))
    for text in ("el feriado", "el puente", "el próximo feriado", "el finde del feriado"):
        assert long_ambiguity(text, date(2027, 8, 20)) is DateAmbiguity.NO_LONG_WEEKEND, text
    # Words that only look alike are not a holiday.
    assert read_dates("estan cerca del puente?", saturday, ARGENTINE_HOLIDAYS) is None
    assert read_dates("los feriados abren?", saturday, ARGENTINE_HOLIDAYS) is None


@pytest.mark.parametrize(
    ("text", "check_in", "check_out"),
    [
        # Carnival Monday and Tuesday, 8 and 9 February 2027: Sat 6 – Tue 9.
        ("quiero ir el finde largo de carnaval, somos 5", date(2027, 2, 5), date(2027, 2, 9)),
        ("para carnaval hay algo?", date(2027, 2, 5), date(2027, 2, 9)),
        # Wednesday 24 March, Holy Thursday and Good Friday 2027: Wed 24 – Sun 28.
        ("para semana santa somos 2", date(2027, 3, 23), date(2027, 3, 28)),
        ("tienen lugar para pascua?", date(2027, 3, 23), date(2027, 3, 28)),
        ("el finde largo de marzo", date(2027, 3, 23), date(2027, 3, 28)),
        ("el finde largo del 9 de julio", date(2027, 7, 8), date(2027, 7, 11)),
    ],
)
def test_named_long_weekends_are_read_on_the_calendar(
    text: str, check_in: date, check_out: date
) -> None:
    assert long_stay(text, date(2026, 12, 3)) == (check_in, check_out)


def test_named_long_weekends_past_this_year_are_next_years() -> None:
    # Carnival 2026 was 16–17 February: said in March, it is 2027's.
    assert long_stay("para carnaval", date(2026, 3, 1)) == (date(2027, 2, 5), date(2027, 2, 9))


def test_a_month_with_two_long_weekends_or_none_is_asked_about() -> None:
    today = date(2026, 12, 3)
    # 5–8 and 25–27 December.
    assert long_ambiguity("el finde largo de diciembre", today) is DateAmbiguity.MULTIPLE_OPTIONS
    # May 2027: 1 May is a Saturday and 25 May a Tuesday with no bridge day.
    assert long_ambiguity("el finde largo de mayo", today) is DateAmbiguity.NO_LONG_WEEKEND
    assert long_ambiguity("felices pascuas!! el finde de mayo", today) is (
        DateAmbiguity.VAGUE_PERIOD
    )


def test_easter_follows_the_gregorian_computus() -> None:
    known = {2024: (3, 31), 2025: (4, 20), 2026: (4, 5), 2027: (3, 28), 2038: (4, 25)}
    for year, (month, day) in known.items():
        assert easter(year) == date(year, month, day)


def test_a_night_count_stretches_the_weekend_from_its_start() -> None:
    assert stay("el finde, 3 noches", WEDNESDAY) == (date(2026, 12, 11), date(2026, 12, 14))


def test_pinned_and_counted_weekends() -> None:
    assert stay("el finde del 19") == (date(2026, 12, 18), date(2026, 12, 20))
    assert stay("el 2do finde de enero") == (date(2027, 1, 8), date(2027, 1, 10))
    assert stay("el ultimo finde de enero") == (date(2027, 1, 29), date(2027, 1, 31))
    assert ambiguity("el finde del 16") is DateAmbiguity.WEEKDAY_MISMATCH  # a Wednesday


def test_weekdays_are_their_next_occurrence_after_today() -> None:
    assert stay("el sabado")[0] == date(2026, 12, 5)  # said on a Saturday: next week
    assert stay("el domingo")[0] == date(2026, 11, 29)
    assert stay("desde el viernes 3 noches") == (date(2026, 12, 4), date(2026, 12, 7))
    assert stay("del viernes al lunes", WEDNESDAY) == (date(2026, 12, 11), date(2026, 12, 14))


def test_listed_nights_end_the_morning_after_the_last_one() -> None:
    assert stay("viernes y sabado") == (date(2026, 12, 4), date(2026, 12, 6))
    assert stay("el 15 y el 16 de enero") == (date(2027, 1, 15), date(2027, 1, 17))
    assert stay("entre el 10 y el 14 de enero") == (date(2027, 1, 10), date(2027, 1, 14))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoy 1 noche", (date(2026, 11, 28), date(2026, 11, 29))),
        ("mañana por 2 noches", (date(2026, 11, 29), date(2026, 12, 1))),
        ("pasado mañana x 2 noches", (date(2026, 11, 30), date(2026, 12, 2))),
        ("esta noche", (date(2026, 11, 28), date(2026, 11, 29))),
        ("desde hoy hasta el domingo", (date(2026, 11, 28), date(2026, 11, 29))),
        ("para navidad", (date(2026, 12, 24), date(2026, 12, 26))),
        ("para navidad 3 noches", (date(2026, 12, 24), date(2026, 12, 27))),
        ("año nuevo, 2 noches", (date(2026, 12, 31), date(2027, 1, 2))),
    ],
)
def test_relative_days_and_holidays(text: str, expected: tuple[date, date]) -> None:
    assert stay(text) == expected


def test_new_year_leaves_the_nights_open() -> None:
    assert read_dates("para año nuevo", SATURDAY) == DateQuery.starting(date(2026, 12, 31))


def test_christmas_already_gone_is_next_years() -> None:
    assert stay("para navidad", date(2026, 12, 27))[0] == date(2027, 12, 24)


@pytest.mark.parametrize(
    ("text", "nights"),
    [("3 noches", 3), ("dos noches", 2), ("una semana", 7), ("un par de noches", 2)],
)
def test_nights_alone(text: str, nights: int) -> None:
    assert read_dates(text, SATURDAY) == DateQuery.lasting(nights)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("del 10 al 5", DateAmbiguity.RANGE_BACKWARDS),
        ("del 18 al 15 de diciembre", DateAmbiguity.RANGE_BACKWARDS),
        ("31/11", DateAmbiguity.INVALID_DATE),
        ("12/15", DateAmbiguity.INVALID_DATE),
        ("29/2", DateAmbiguity.INVALID_DATE),
        ("15/3/2025", DateAmbiguity.PAST_DATE),
        ("el viernes 15", DateAmbiguity.WEEKDAY_MISMATCH),
        ("del 15 al 18, 2 noches", DateAmbiguity.NIGHTS_MISMATCH),
        ("el 15 o el 22", DateAmbiguity.MULTIPLE_OPTIONS),
        ("2 o 3 noches", DateAmbiguity.MULTIPLE_OPTIONS),
        ("en enero", DateAmbiguity.MONTH_ONLY),
        ("la semana que viene", DateAmbiguity.VAGUE_PERIOD),
        ("algun finde", DateAmbiguity.VAGUE_PERIOD),
    ],
)
def test_what_cannot_be_read_without_asking(text: str, reason: DateAmbiguity) -> None:
    assert ambiguity(text) is reason


def test_an_ambiguity_keeps_the_nights_that_were_clear() -> None:
    assert read_dates("en enero, 4 noches", SATURDAY) == DateQuery.unclear(
        DateAmbiguity.MONTH_ONLY, nights=4
    )


@pytest.mark.parametrize(
    "text",
    [
        "buenas noches",
        "somos 4",
        "la 2",
        "hasta el 5",
        "mañana te aviso",
        "el lunes te confirmo",
        "2 chicos de 5 y 8 años",
        "nenes de 3 a 6 años",
    ],
)
def test_no_dates_where_a_person_sees_none(text: str) -> None:
    assert read_dates(text, SATURDAY) is None


def test_date_query_rejects_inconsistent_shapes() -> None:
    with pytest.raises(InvalidValue):
        DateQuery(check_out=date(2026, 12, 18))
    with pytest.raises(InvalidValue):
        DateQuery(date(2026, 12, 15), date(2026, 12, 18), nights=2)
    with pytest.raises(InvalidStay):
        DateQuery(date(2026, 12, 18), date(2026, 12, 15), nights=3)
    with pytest.raises(InvalidValue):
        DateQuery(date(2026, 12, 15), ambiguity=DateAmbiguity.MONTH_ONLY)
    with pytest.raises(InvalidValue):
        DateQuery()
    assert DateQuery.starting(date(2026, 12, 15), 3).stay is not None


@given(
    today=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)),
    # Beyond ~300 days the same day this year passed lately, and reads as passed (H2).
    ahead=st.integers(min_value=0, max_value=300),
    nights=st.integers(min_value=1, max_value=14),
    spelled=st.booleans(),
)
def test_any_upcoming_short_stay_reads_back(
    today: date, ahead: int, nights: int, spelled: bool
) -> None:
    check_in = today + timedelta(days=ahead)
    check_out = check_in + timedelta(days=nights)

    def written(day: date) -> str:
        if spelled:
            return f"{day.day} de {MONTH_NAMES[day.month - 1]}"
        return f"{day.day}/{day.month}"

    assert stay(f"del {written(check_in)} al {written(check_out)}", today) == (
        check_in,
        check_out,
    )


@pytest.mark.parametrize(
    "text",
    [
        "para 2, del 15 al 18 del mes que viene",
        "para 2 del 15 al 18 del mes próximo",
        "para 2, el mes que viene del 15 al 18",
        "del 15 al 18 del próximo mes, somos 2",
        "del 15 al 18 del mes siguiente",
    ],
)
def test_days_of_the_month_that_comes_are_that_months(text: str) -> None:
    """Reported: each of these was quoted for this month's 15th to 18th."""
    assert stay(text, WEDNESDAY) == (date(2027, 1, 15), date(2027, 1, 18))
    assert stay(text, SATURDAY) == (date(2026, 12, 15), date(2026, 12, 18))


def test_this_months_days_and_a_month_already_named_are_read_as_written() -> None:
    assert stay("el 20 de este mes por 2 noches", WEDNESDAY) == (
        date(2026, 12, 20),
        date(2026, 12, 22),
    )
    assert stay("del 15 al 18 de marzo, el mes que viene no puedo", WEDNESDAY) == (
        date(2027, 3, 15),
        date(2027, 3, 18),
    )


def test_iso_dates_are_read() -> None:
    """Reported: "del 2027-01-05 al 2027-01-08" was not read, and the dates asked again."""
    assert stay("del 2027-01-05 al 2027-01-08", WEDNESDAY) == (date(2027, 1, 5), date(2027, 1, 8))
    assert stay("2027-01-05 al 2027-01-08", WEDNESDAY) == (date(2027, 1, 5), date(2027, 1, 8))
