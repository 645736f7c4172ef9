"""A cabin that can be rented by the night."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.errors import InvalidValue
from domain.money import Money


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
        if self.weekend_multiplier <= 0:
            raise InvalidValue("weekend_multiplier must be positive")
