"""The owner's price rules for one cabin. Each validates itself; how they combine is in
``price_list``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import IntEnum

from domain.money import Money
from domain.pricing.errors import InvalidPriceRule
from domain.pricing.recurring import RecurringRange

MAX_PERCENT_OVER_BASE = Decimal(1000)
MAX_RULE_NIGHTS = 366  # a date override longer than a year is a season
_PERCENT_STEP = Decimal("0.01")
LONG_WEEKEND_NAME = "Fin de semana largo"


class Specificity(IntEnum):
    """Which rule prices a night when several cover it: the highest. Seasons nest, and inside
    one level the narrower season wins (``price_list``)."""

    BASE = 0
    SEASON = 1
    LONG_WEEKEND = 2
    OVERRIDE = 3


def _name(name: str, what: str) -> None:
    if not name.strip():
        raise InvalidPriceRule(f"a {what} needs a name (the quote shows it)")


def _min_nights(min_nights: int | None) -> None:
    if min_nights is not None and not 1 <= min_nights <= MAX_RULE_NIGHTS:
        raise InvalidPriceRule(f"min_nights must be from 1 to {MAX_RULE_NIGHTS}")


def _percent(value: Decimal, what: str, low: Decimal, high: Decimal) -> None:
    if not value.is_finite() or not low < value <= high:
        raise InvalidPriceRule(f"{what} must be above {low} and at most {high}")
    if value != value.quantize(_PERCENT_STEP):
        raise InvalidPriceRule(f"{what} has at most two decimals")


def _positive(price: Money, what: str) -> None:
    if price.cents <= 0:
        raise InvalidPriceRule(f"{what} would make a night free: a night costs more than 0")


@dataclass(frozen=True, slots=True)
class Rate:
    """A nightly price, written as an amount or as a percentage over the night's base price
    (the base with its weekend multiplier): ``+30`` raises it, ``-20`` lowers it, ``-100`` or
    less would give the night away and is refused."""

    nightly: Money | None = None
    percent_over_base: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.nightly is None) == (self.percent_over_base is None):
            raise InvalidPriceRule("a rate is a nightly price or a percentage over base, not both")
        if self.nightly is not None:
            _positive(self.nightly, "a nightly price of 0")
        if self.percent_over_base is not None:
            _percent(
                self.percent_over_base,
                "percent_over_base",
                Decimal(-100),
                MAX_PERCENT_OVER_BASE,
            )

    def price(self, base_night: Money) -> Money:
        if self.nightly is not None:
            return self.nightly
        assert self.percent_over_base is not None
        return base_night.percent(Decimal(100) + self.percent_over_base)


@dataclass(frozen=True, slots=True)
class Season:
    """A recurring stretch of the year with its own rate; optionally its own Friday/Saturday
    price (otherwise weekend nights take the season's rate too), minimum stay and arrival days
    (0 Monday … 6 Sunday; ``None``: any day)."""

    name: str
    dates: RecurringRange
    rate: Rate
    weekend_nightly: Money | None = None
    min_nights: int | None = None
    arrival_weekdays: frozenset[int] | None = None

    def __post_init__(self) -> None:
        _name(self.name, "season")
        _min_nights(self.min_nights)
        if self.weekend_nightly is not None:
            _positive(self.weekend_nightly, "a weekend price of 0")
        if self.arrival_weekdays is not None and (
            not self.arrival_weekdays or not self.arrival_weekdays <= frozenset(range(7))
        ):
            raise InvalidPriceRule("arrival_weekdays are some of 0 (Monday) to 6 (Sunday)")


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Specific dated nights (31/12/2026) priced apart: beats every other rule."""

    name: str
    first_night: date
    last_night: date
    rate: Rate
    min_nights: int | None = None

    def __post_init__(self) -> None:
        _name(self.name, "date override")
        _min_nights(self.min_nights)
        span = (self.last_night - self.first_night).days + 1
        if not 1 <= span <= MAX_RULE_NIGHTS:
            raise InvalidPriceRule(
                f"a date override covers 1 to {MAX_RULE_NIGHTS} nights, last_night included"
            )

    def contains(self, night: date) -> bool:
        return self.first_night <= night <= self.last_night

    def overlaps(self, other: DateOverride) -> bool:
        return self.first_night <= other.last_night and other.first_night <= self.last_night


@dataclass(frozen=True, slots=True)
class LongWeekendRule:
    """How the nights of a long weekend (``holidays.LongWeekend``) are priced."""

    rate: Rate
    min_nights: int | None = None
    name: str = LONG_WEEKEND_NAME

    def __post_init__(self) -> None:
        _name(self.name, "long-weekend rule")
        _min_nights(self.min_nights)


@dataclass(frozen=True, slots=True)
class Fees:
    """Charged on top of the nights: cleaning once per stay; each guest above
    ``guests_included`` pays ``extra_guest_nightly`` every night; ``pet`` once per stay when
    the guest brings pets (``None``: no pet fee)."""

    cleaning: Money = field(default_factory=Money.zero)
    extra_guest_nightly: Money = field(default_factory=Money.zero)
    guests_included: int | None = None
    pet: Money | None = None

    def __post_init__(self) -> None:
        if self.guests_included is not None and self.guests_included < 1:
            raise InvalidPriceRule("guests_included must be at least 1")
        if self.extra_guest_nightly.cents and self.guests_included is None:
            raise InvalidPriceRule("an extra-guest fee needs guests_included (above how many)")


@dataclass(frozen=True, slots=True)
class LengthOfStayDiscount:
    """``percent`` off the nights (not the fees) of stays of ``min_nights`` or more."""

    min_nights: int
    percent: Decimal
    name: str = ""

    def __post_init__(self) -> None:
        if not 2 <= self.min_nights <= MAX_RULE_NIGHTS:
            raise InvalidPriceRule(f"a stay discount starts from 2 to {MAX_RULE_NIGHTS} nights")
        # 100 % would make the nights free.
        _percent(self.percent, "a stay discount", Decimal(0), Decimal("99.99"))

    @property
    def label(self) -> str:
        return self.name or f"{self.min_nights}+ noches −{self.percent.normalize():f} %"


@dataclass(frozen=True, slots=True)
class PriceChange:
    """From ``effective_from`` on, every night's price — whichever rule prices it — is
    ``percent`` higher (negative: lower). Prices rise often: changes compound in date order
    (+8 % from March, then +5 % from June). Fees are not changed."""

    effective_from: date
    percent: Decimal

    def __post_init__(self) -> None:
        _percent(self.percent, "a price change", Decimal(-100), MAX_PERCENT_OVER_BASE)
        if not self.percent:
            raise InvalidPriceRule("a price change of 0 % changes nothing")

    def apply(self, price: Money) -> Money:
        return price.percent(Decimal(100) + self.percent)
