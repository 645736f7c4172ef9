"""How to get to a cabin as the guest page words it."""

from __future__ import annotations

from domain.messaging.cabin_texts import CabinTexts
from entrypoints.http.guest.terms import directions


def test_directions_need_an_address_or_a_map_link() -> None:
    assert directions(CabinTexts()) is None
    found = directions(CabinTexts(map_url="https://maps.app.goo.gl/x"))
    assert found is not None
    assert (found.address, found.map_url, found.check_in_time) == (
        "",
        "https://maps.app.goo.gl/x",
        "14:00",
    )
