"""Examples of the rules: which one prices a night, what the quote says, what is refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.errors import NightsOutOfRange
from domain.money import Money
from domain.pricing import (
    ArrivalDayNotAllowed,
    DateOverride,
    FeeKind,
    Fees,
    HolidayCalendar,
    InvalidPriceRule,
    LengthOfStayDiscount,
    LongWeekendRule,
    OverlappingPriceRules,
    PriceList,
    Rate,
    RecurringRange,
    Season,
    Specificity,
    quote_stay,
    stay_violation,
)
from domain.stay import Stay

BASE = Money.of("100000")
HIGH = Season(
    "Temporada alta",
    RecurringRange.parse("15/12", "28/02"),
    Rate(nightly=Money.of("150000")),
    weekend_nightly=Money.of("180000"),
    min_nights=4,
)
JANUARY = Season(
    "Enero", RecurringRange.parse("01/01", "31/01"), Rate(percent_over_base=Decimal(80))
)
NEW_YEAR = DateOverride(
    "Año Nuevo", date(2026, 12, 31), date(2026, 12, 31), Rate(nightly=Money.of("400000")), 3
)
LONG_WEEKEND = LongWeekendRule(Rate(nightly=Money.of("130000")), min_nights=3)
JULY_HOLIDAYS = HolidayCalendar(frozenset({date(2026, 7, 9), date(2026, 7, 10)}))


def prices(**rules: object) -> PriceList:
    values: dict[str, object] = {"base": BASE, "weekend_multiplier": Decimal("1.2")}
    values.update(rules)
    return PriceList(**values)  # type: ignore[arg-type]


def nights(check_in: date, count: int) -> Stay:
    return Stay(check_in, check_in + timedelta(days=count))


def quote(pl: PriceList, stay: Stay, guests: int = 2, **kw: object) -> object:
    return quote_stay(pl, stay, guests, deposit_percent=Decimal(30), **kw)  # type: ignore[arg-type]


def test_the_base_prices_weekdays_and_weekend_nights_and_the_quote_names_the_rule() -> None:
    q = quote_stay(prices(), nights(date(2026, 3, 5), 3), 2, deposit_percent=Decimal(30))
    assert [n.price for n in q.nights] == [BASE, Money.of("120000"), Money.of("120000")]
    assert {n.rule.name for n in q.nights} == {"Tarifa base"}
    assert q.total == Money.of("340000")
    assert q.deposit == Money.of("102000")
    assert [(r.weekend, r.nights, r.amount) for r in q.rates()] == [
        (False, 1, BASE),
        (True, 2, Money.of("240000")),
    ]


def test_a_season_wrapping_the_new_year_with_its_weekend_price_and_a_nested_season() -> None:
    pl = prices(seasons=(JANUARY, HIGH))
    # Tue 29/12/2026 .. Sun 3/1/2027: high season in December, January's nested season after.
    q = quote_stay(pl, nights(date(2026, 12, 29), 6), 2, deposit_percent=Decimal(30))
    assert [(n.rule.name, n.price) for n in q.nights] == [
        ("Temporada alta", Money.of("150000")),  # Tuesday
        ("Temporada alta", Money.of("150000")),  # Wednesday
        ("Temporada alta", Money.of("150000")),  # Thursday 31/12
        ("Enero", Money.of("216000")),  # Friday 1/1: 80 % over the weekend base 120 000
        ("Enero", Money.of("216000")),  # Saturday
        ("Enero", Money.of("180000")),  # Sunday: 80 % over 100 000
    ]
    assert {n.rule.kind for n in q.nights} == {Specificity.SEASON}


def test_a_date_override_beats_every_other_rule() -> None:
    holidays = HolidayCalendar(frozenset({date(2027, 1, 1)}))  # Friday: Fri–Sun long weekend
    pl = prices(seasons=(HIGH,), overrides=(NEW_YEAR,), long_weekend=LONG_WEEKEND)
    q = quote_stay(
        pl, nights(date(2026, 12, 30), 3), 2, deposit_percent=Decimal(30), holidays=holidays
    )
    assert [(n.rule.kind, n.rule.name, n.price) for n in q.nights] == [
        (Specificity.SEASON, "Temporada alta", Money.of("150000")),
        (Specificity.OVERRIDE, "Año Nuevo", Money.of("400000")),
        (Specificity.LONG_WEEKEND, "Fin de semana largo", Money.of("130000")),
    ]
    assert q.min_nights == 4  # the strictest of the nights' rules


def test_long_weekend_nights_run_from_the_eve_of_the_first_day_off() -> None:
    pl = prices(long_weekend=LONG_WEEKEND)
    q = quote_stay(
        pl, nights(date(2026, 7, 7), 6), 2, deposit_percent=Decimal(30), holidays=JULY_HOLIDAYS
    )
    kinds = [n.rule.kind for n in q.nights]
    assert kinds == [Specificity.BASE] + [Specificity.LONG_WEEKEND] * 4 + [Specificity.BASE]


def test_a_remembered_night_follows_the_holidays_it_is_asked_with() -> None:
    # A list remembers each night's terms; with a long-weekend rule, per holiday calendar.
    pl = prices(long_weekend=LONG_WEEKEND)
    stay = nights(date(2026, 7, 7), 6)

    def kinds(calendar: HolidayCalendar) -> list[Specificity]:
        q = quote_stay(pl, stay, 2, deposit_percent=Decimal(30), holidays=calendar)
        return [n.rule.kind for n in q.nights]

    long_weekend = [Specificity.BASE] + [Specificity.LONG_WEEKEND] * 4 + [Specificity.BASE]
    assert kinds(JULY_HOLIDAYS) == long_weekend
    assert kinds(HolidayCalendar()) == [Specificity.BASE] * 6
    assert kinds(JULY_HOLIDAYS) == long_weekend


def test_a_long_weekend_minimum_refuses_a_shorter_stay_touching_it() -> None:
    pl = prices(long_weekend=LONG_WEEKEND, min_nights=2)
    stay = nights(date(2026, 7, 6), 3)  # Mon–Thu: Wednesday night is the long weekend's first
    q = quote_stay(pl, stay, 2, deposit_percent=Decimal(30), holidays=JULY_HOLIDAYS)
    assert q.min_nights == 3
    assert stay_violation(q, stay) is None
    short = nights(date(2026, 7, 7), 2)
    q = quote_stay(pl, short, 2, deposit_percent=Decimal(30), holidays=JULY_HOLIDAYS)
    refused = stay_violation(q, short, name="Lago", max_nights=30)
    assert isinstance(refused, NightsOutOfRange)
    # The dates' minimum, not the cabin's own 2, with the policy's maximum.
    limits = (refused.nights, refused.min_nights, refused.max_nights, refused.for_dates)
    assert limits == (2, 3, 30, True)


def test_a_stay_exactly_filling_a_gap_may_be_shorter_than_the_minimum() -> None:
    pl = prices(seasons=(HIGH,))
    gap = nights(date(2027, 1, 12), 2)
    before, after = nights(date(2027, 1, 5), 7), nights(date(2027, 1, 14), 5)
    q = quote_stay(pl, gap, 2, deposit_percent=Decimal(30))
    assert isinstance(stay_violation(q, gap), NightsOutOfRange)
    assert isinstance(stay_violation(q, gap, [before]), NightsOutOfRange)
    assert stay_violation(q, gap, [before, after]) is None
    shorter = nights(date(2027, 1, 12), 1)  # leaves a night unsold: not a gap filler
    q = quote_stay(pl, shorter, 2, deposit_percent=Decimal(30))
    assert isinstance(stay_violation(q, shorter, [before, after]), NightsOutOfRange)


def test_the_season_of_the_arrival_night_decides_the_arrival_days() -> None:
    saturdays = Season(
        "Enero sábado a sábado",
        RecurringRange.parse("01/01", "31/01"),
        Rate(nightly=Money.of("150000")),
        arrival_weekdays=frozenset({5}),
    )
    pl = prices(seasons=(saturdays,))
    friday = nights(date(2027, 1, 8), 7)
    violation = stay_violation(quote_stay(pl, friday, 2, deposit_percent=Decimal(30)), friday)
    assert isinstance(violation, ArrivalDayNotAllowed)
    assert "Saturday" in violation.message
    saturday = nights(date(2027, 1, 9), 7)
    assert (
        stay_violation(quote_stay(pl, saturday, 2, deposit_percent=Decimal(30)), saturday) is None
    )
    # Arriving before the season starts: the arrival night's rule (the base) allows any day.
    december = nights(date(2026, 12, 30), 7)
    assert (
        stay_violation(quote_stay(pl, december, 2, deposit_percent=Decimal(30)), december) is None
    )


def test_fees_and_the_best_length_of_stay_discount_on_the_nights_only() -> None:
    pl = prices(
        weekend_multiplier=Decimal(1),
        fees=Fees(
            cleaning=Money.of("25000"),
            extra_guest_nightly=Money.of("10000"),
            guests_included=2,
            pet=Money.of("15000"),
        ),
        discounts=(
            LengthOfStayDiscount(14, Decimal(15)),
            LengthOfStayDiscount(7, Decimal(10)),
        ),
    )
    stay = nights(date(2026, 4, 6), 7)
    q = quote_stay(pl, stay, 4, deposit_percent=Decimal(30), pets=True)
    assert [(f.kind, f.quantity, f.amount) for f in q.fees] == [
        (FeeKind.CLEANING, 1, Money.of("25000")),
        (FeeKind.EXTRA_GUESTS, 14, Money.of("140000")),  # 2 guests above 2, 7 nights
        (FeeKind.PET, 1, Money.of("15000")),
    ]
    assert [(d.name, d.amount) for d in q.discounts] == [("7+ noches −10 %", Money.of("70000"))]
    assert q.total == Money.of(700000 - 70000 + 25000 + 140000 + 15000)
    assert q.deposit == q.total.percent(Decimal(30))
    no_pets = quote_stay(pl, nights(date(2026, 4, 6), 6), 2, deposit_percent=Decimal(30))
    assert [f.kind for f in no_pets.fees] == [FeeKind.CLEANING]
    assert no_pets.discounts == ()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Rate(nightly=Money(0)),
        lambda: Rate(percent_over_base=Decimal(-100)),
        lambda: Rate(percent_over_base=Decimal(-150)),
        Rate,
        lambda: Rate(nightly=BASE, percent_over_base=Decimal(10)),
        lambda: Rate(percent_over_base=Decimal("10.001")),
        lambda: LengthOfStayDiscount(7, Decimal(100)),
        lambda: Season("", HIGH.dates, HIGH.rate),
        lambda: Season("x", HIGH.dates, HIGH.rate, weekend_nightly=Money(0)),
        lambda: Season("x", HIGH.dates, HIGH.rate, arrival_weekdays=frozenset({7})),
        lambda: DateOverride("x", date(2026, 1, 2), date(2026, 1, 1), HIGH.rate),
        lambda: Fees(extra_guest_nightly=Money(100)),
    ],
)
def test_rules_that_cannot_be_priced_are_refused(make: object) -> None:
    with pytest.raises(InvalidPriceRule):
        make()  # type: ignore[operator]


def test_a_percentage_rounding_a_night_to_nothing_is_refused() -> None:
    tiny = Season(
        "Baja", RecurringRange.parse("01/05", "31/05"), Rate(percent_over_base=Decimal("-99.99"))
    )
    with pytest.raises(InvalidPriceRule, match="free"):
        PriceList(base=Money(10), seasons=(tiny,))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("15/12", "28/02"), ("01/02", "15/03")),  # partly
        (("01/07", "31/07"), ("01/07", "31/07")),  # the same dates
        (("20/12", "10/01"), ("01/01", "31/01")),  # partly, across the new year
    ],
)
def test_seasons_overlapping_at_the_same_specificity_are_refused(
    a: tuple[str, str], b: tuple[str, str]
) -> None:
    first = Season("A", RecurringRange.parse(*a), HIGH.rate)
    second = Season("B", RecurringRange.parse(*b), HIGH.rate)
    with pytest.raises(OverlappingPriceRules):
        prices(seasons=(first, second))


def test_overlapping_overrides_are_refused_and_adjacent_ones_are_not() -> None:
    eve = DateOverride("Nochebuena", date(2026, 12, 24), date(2026, 12, 25), HIGH.rate)
    with pytest.raises(OverlappingPriceRules):
        prices(
            overrides=(
                eve,
                DateOverride("Navidad", date(2026, 12, 25), date(2026, 12, 25), HIGH.rate),
            )
        )
    prices(overrides=(eve, NEW_YEAR))


def test_prices_in_another_currency_are_refused() -> None:
    with pytest.raises(InvalidPriceRule, match="ARS"):
        prices(fees=Fees(cleaning=Money(100, "USD")))
