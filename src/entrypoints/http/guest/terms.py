"""A cabin's cancellation policy and directions as its guest reads them, in Spanish."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.messaging.cabin_texts import CabinTexts
from domain.payments.cancellation import CancellationPolicy, Outcome


@dataclass(frozen=True, slots=True)
class Directions:
    address: str
    map_url: str
    check_in_time: str
    check_out_time: str
    keys: str


def percent(value: Decimal) -> str:
    """``100``, ``50``, ``12,5`` (Argentine decimal comma, no trailing zeros)."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _days(n: int) -> str:
    return "1 día" if n == 1 else f"{n} días"


def cancellation_lines(policy: CancellationPolicy | None) -> list[str]:
    """One sentence per tier, most notice first, and what happens with less notice than the
    last one. Empty without a policy (the page says to ask)."""
    if policy is None or not policy.tiers:
        return []
    lines = []
    for tier in policy.tiers:
        when = (
            "Si cancelás hasta el día de llegada"
            if tier.min_days_before == 0
            else f"Si cancelás con {_days(tier.min_days_before)} o más de anticipación"
        )
        if tier.percent == 0:
            what = "no hay devolución"
        elif tier.outcome is Outcome.CREDIT:
            what = f"te queda un crédito del {percent(tier.percent)} % de lo pagado para otra fecha"
        else:
            what = f"te devolvemos el {percent(tier.percent)} % de lo pagado"
        lines.append(f"{when}: {what}.")
    least = policy.tiers[-1].min_days_before
    if least > 0:
        lines.append(f"Con menos de {_days(least)} de anticipación no hay devolución.")
    return lines


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
