"""A cabin that can be rented by the night."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.errors import InvalidValue
from domain.money import Money

# Far above any real cabin, far below what a night's total times MAX_NIGHTS could overflow
# (amounts are bigint cents).
MAX_BASE_PRICE = Decimal(1_000_000_000)  # ARS a night
MAX_WEEKEND_MULTIPLIER = Decimal(10)
_CENT = Decimal("0.01")
_MULTIPLIER_STEP = Decimal("0.001")  # the column keeps three decimals


def _named(error: InvalidValue, field: str) -> InvalidValue:
    """Name the input at fault (the API's 422 and the console's form point at it)."""
    error.field = field
    return error


def base_price(amount: Decimal) -> Money:
    """A nightly price as the owner writes it: a finite number above 0, at most MAX_BASE_PRICE,
    with at most two decimals (never rounded: a typo is refused, not silently changed). A night
    is never free: a price of 0 would let anyone hold the cabin for nothing."""
    if not amount.is_finite() or amount <= 0 or amount > MAX_BASE_PRICE:
        raise _named(
            InvalidValue(f"base_price must be more than 0 and at most {MAX_BASE_PRICE}"),
            "base_price",
        )
    if amount != amount.quantize(_CENT):
        raise _named(
            InvalidValue("base_price has at most two decimals (prices have at most cents)"),
            "base_price",
        )
    return Money.of(amount)


@dataclass(frozen=True, slots=True)
class Accommodation:
    id: int
    name: str
    capacity: int
    base_price: Money
    weekend_multiplier: Decimal = Decimal("1")
    min_nights: int = 1
    description: str = ""
    amenities: tuple[str, ...] = field(default_factory=tuple)
    active: bool = True

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValue("an accommodation needs a name")
        if self.capacity < 1:
            raise InvalidValue("capacity must be at least 1")
        if self.min_nights < 1:
            raise InvalidValue("min_nights must be at least 1")
        m = self.weekend_multiplier
        if not m.is_finite() or m <= 0 or m > MAX_WEEKEND_MULTIPLIER:
            raise InvalidValue(
                f"weekend_multiplier must be positive, at most {MAX_WEEKEND_MULTIPLIER}"
            )
        if m != m.quantize(_MULTIPLIER_STEP):
            raise InvalidValue("weekend_multiplier has at most three decimals")
        if self.base_price.cents > MAX_BASE_PRICE * 100:
            raise InvalidValue(f"base_price must be at most {MAX_BASE_PRICE}")

    def check_prices_a_night(self) -> None:
        """Its weekday and weekend nights both cost something (a tiny price times a small
        weekend multiplier can round to 0 cents). Checked when the owner sets them; a row
        stored before keeps loading."""
        if self.base_price.cents <= 0:
            raise _named(InvalidValue("base_price must be more than 0"), "base_price")
        if self.base_price.times(self.weekend_multiplier).cents <= 0:
            raise _named(
                InvalidValue(
                    "weekend_multiplier would make a weekend night free: a night costs more than 0"
                ),
                "weekend_multiplier",
            )
