"""A cabin's cancellation tiers and directions as the guest page words them."""

from __future__ import annotations

from decimal import Decimal

from domain.messaging.cabin_texts import CabinTexts
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from entrypoints.http.guest.terms import cancellation_lines, directions


def test_each_tier_is_a_sentence_most_notice_first_and_less_notice_returns_nothing() -> None:
    policy = CancellationPolicy(
        (
            CancellationTier(1, Decimal("12.50"), Outcome.REFUND),
            CancellationTier(15, Decimal("100"), Outcome.CREDIT),
            CancellationTier(30, Decimal("100"), Outcome.REFUND),
        )
    )
    assert cancellation_lines(policy) == [
        "Si cancelás con 30 días o más de anticipación: te devolvemos el 100 % de lo pagado.",
        "Si cancelás con 15 días o más de anticipación: te queda un crédito del 100 % de lo "
        "pagado para otra fecha.",
        "Si cancelás con 1 día o más de anticipación: te devolvemos el 12,5 % de lo pagado.",
        "Con menos de 1 día de anticipación no hay devolución.",
    ]


def test_a_tier_from_the_arrival_day_leaves_no_sentence_for_less_notice() -> None:
    policy = CancellationPolicy((CancellationTier(0, Decimal("0")),))
    assert cancellation_lines(policy) == ["Si cancelás hasta el día de llegada: no hay devolución."]
    assert cancellation_lines(None) == []


def test_directions_need_an_address_or_a_map_link() -> None:
    assert directions(CabinTexts()) is None
    found = directions(CabinTexts(map_url="https://maps.app.goo.gl/x"))
    assert found is not None
    assert (found.address, found.map_url, found.check_in_time) == (
        "",
        "https://maps.app.goo.gl/x",
        "14:00",
    )
