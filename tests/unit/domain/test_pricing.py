from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from domain.pricing import nightly_price, quote
from domain.stay import Stay
from tests.unit.domain.builders import cabin


def test_friday_and_saturday_nights_carry_the_weekend_multiplier() -> None:
    acc = cabin()
    # 2026-12-04 is a Friday.
    assert nightly_price(acc, date(2026, 12, 3)) == Money.of("100000")  # Thursday
    assert nightly_price(acc, date(2026, 12, 4)) == Money.of("150000")  # Friday
    assert nightly_price(acc, date(2026, 12, 5)) == Money.of("150000")  # Saturday
    assert nightly_price(acc, date(2026, 12, 6)) == Money.of("100000")  # Sunday


def test_quote_sums_nights_and_takes_the_deposit_percentage() -> None:
    # Thursday to Monday: Thu 100k + Fri 150k + Sat 150k + Sun 100k.
    q = quote(cabin(), Stay(date(2026, 12, 3), date(2026, 12, 7)), Decimal(30))
    assert q.nights == 4
    assert q.total == Money.of("500000")
    assert q.deposit == Money.of("150000")
    assert q.currency == "ARS"


def test_deposit_is_rounded_to_the_cent() -> None:
    acc = cabin(base_price=Money.of("333.33"), weekend_multiplier=Decimal(1), min_nights=1)
    q = quote(acc, Stay(date(2026, 12, 1), date(2026, 12, 2)), Decimal("33.3"))
    assert q.deposit == Money(11100)  # 111.000... of 333.33 → 111.00 (half-up)
    q = quote(acc, Stay(date(2026, 12, 1), date(2026, 12, 2)), Decimal("12.5"))
    assert q.deposit == Money(4167)  # 41.66625 → 41.67


def test_weekend_multiplier_rounds_each_night_to_the_cent() -> None:
    acc = cabin(base_price=Money.of("100.01"), weekend_multiplier=Decimal("1.15"))
    assert nightly_price(acc, date(2026, 12, 4)) == Money(11501)  # 115.0115 → 115.01


@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(1, 30),
    st.integers(1, 10**9),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal(3), places=3),
)
def test_quote_equals_the_sum_of_nightly_prices(
    start: date, nights: int, cents: int, multiplier: Decimal
) -> None:
    acc = cabin(base_price=Money(cents), weekend_multiplier=multiplier)
    s = Stay(start, start + timedelta(days=nights))
    expected = sum((nightly_price(acc, n).cents for n in s.each_night()), 0)
    assert quote(acc, s, Decimal(30)).total == Money(expected)
