"""The bench's reference app prices through the same seasons as the service (issue 22 asks the
availability ratio with the reference given the same season lookup): its totals must be the
service's, or the ratio compares different work."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from benchmarks.reference_app import _price
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import RecurringRange, Season, quote_stay
from domain.pricing.cabin_rules import CabinPriceRules, price_list
from domain.pricing.rules import Rate
from domain.stay import Stay
from tests.unit.domain.builders import cabin

BASE_CENTS = 5_100_000
# As benchmarks/seed.py writes them for cabin 1.
ROWS = [
    {
        "first_month": 12,
        "first_day": 15,
        "last_month": 2,
        "last_day": 28,
        "nightly_cents": None,
        "percent_over_base": Decimal(30),
        "weekend_cents": BASE_CENTS * 16 // 10,
    },
    {
        "first_month": 7,
        "first_day": 1,
        "last_month": 7,
        "last_day": 31,
        "nightly_cents": None,
        "percent_over_base": Decimal(20),
        "weekend_cents": None,
    },
]
RULES = CabinPriceRules(
    seasons=(
        Season(
            "Temporada alta",
            RecurringRange.parse("15/12", "28/02"),
            Rate(percent_over_base=Decimal(30)),
            weekend_nightly=Money(BASE_CENTS * 16 // 10),
        ),
        Season(
            "Vacaciones de invierno",
            RecurringRange.parse("01/07", "31/07"),
            Rate(percent_over_base=Decimal(20)),
        ),
    )
)
CABIN = cabin(base_price=Money(BASE_CENTS), weekend_multiplier=Decimal("1.2"), min_nights=1)
ROW = {"base_price_cents": BASE_CENTS, "weekend_multiplier": Decimal("1.2")}


@settings(max_examples=300, deadline=None)
@given(
    check_in=st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    nights=st.integers(1, 6),
)
def test_the_reference_prices_a_stay_as_the_service_does(check_in: date, nights: int) -> None:
    stay = Stay(check_in, check_in + timedelta(days=nights))
    service = quote_stay(price_list(CABIN, RULES), stay, 2, deposit_percent=Decimal(30))
    assert _price(ROW, stay.check_in, stay.check_out, ROWS) == service.total.cents


def test_a_night_outside_every_season_is_the_base_price() -> None:
    assert _price(ROW, date(2026, 4, 6), date(2026, 4, 7), ROWS) == BASE_CENTS
