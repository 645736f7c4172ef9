"""How to get to a cabin as its guest reads it, in Spanish (its cancellation terms are worded
by ``application.messaging.quote_texts.cancellation_lines``, for WhatsApp too)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.messaging.cabin_texts import CabinTexts


@dataclass(frozen=True, slots=True)
class Directions:
    address: str
    map_url: str
    check_in_time: str
    check_out_time: str
    keys: str


def directions(texts: CabinTexts) -> Directions | None:
    """None when the owner wrote neither an address nor a map link (nothing to show)."""
    if not texts.address and not texts.map_link:
        return None
    return Directions(
        address=texts.address,
        map_url=texts.map_link,
        check_in_time=f"{texts.check_in_time:%H:%M}",
        check_out_time=f"{texts.check_out_time:%H:%M}",
        keys=texts.keys,
    )
