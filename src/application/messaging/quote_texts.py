"""A quote and a cancellation policy as a guest reads them on WhatsApp (Argentine Spanish,
money as "$ 12.345"): nights by rate, fees, discounts, total and deposit; what cancelling
returns, tier by tier."""

from __future__ import annotations

from decimal import Decimal

from application.messaging.texts import ars
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, Outcome
from domain.pricing.breakdown import FeeKind, PriceBreakdown

_FEES = {
    FeeKind.CLEANING: "Limpieza",
    FeeKind.EXTRA_GUESTS: "Personas adicionales",
    FeeKind.PET: "Mascota",
}


def percent(value: Decimal) -> str:
    """10 → "10 %", 7.5 → "7,5 %" (a decimal comma, as written in Argentina)."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text} %"


def _nights(count: int) -> str:
    return "1 noche" if count == 1 else f"{count} noches"


def breakdown_lines(b: PriceBreakdown, *, totals: bool = True) -> list[str]:
    """One line per rate (rule and price), fee and discount, then (``totals``) the total and
    the deposit — left out where the message states them already."""
    lines = []
    for rate in b.rates():
        weekend = " (viernes/sábado)" if rate.weekend else ""
        lines.append(
            f"• {_nights(rate.nights)} {rate.rule.name}{weekend}: "
            f"{rate.nights} × {ars(rate.nightly)} = {ars(rate.amount)}"
        )
    for fee in b.fees:
        label = _FEES.get(fee.kind, fee.kind.value)
        if fee.quantity == 1:
            lines.append(f"• {label}: {ars(fee.amount)}")
        else:
            lines.append(f"• {label}: {fee.quantity} × {ars(fee.unit)} = {ars(fee.amount)}")
    for discount in b.discounts:
        lines.append(
            f"• Descuento {discount.name} ({percent(discount.percent)}): −{ars(discount.amount)}"
        )
    if totals:
        lines.append(f"Total: {ars(b.total)}")
        lines.append(f"Seña ({percent(b.deposit_percent)}): {ars(b.deposit)}")
    return lines


def credit_lines(credit: Money, deposit: Money) -> list[str]:
    """A credit from an earlier cancellation applied to the booking, and what is left of the
    deposit to pay."""
    rest = Money(max(0, deposit.cents - credit.cents), deposit.currency)
    return [
        f"Crédito a tu favor aplicado: −{ars(credit)}",
        f"Seña a pagar: {ars(rest)}" if rest.cents else "La seña queda cubierta con tu crédito.",
    ]


def cancellation_terms(policy: CancellationPolicy | None) -> str | None:
    """The policy in one sentence; None when the cabin has none (nothing is promised)."""
    if policy is None or not policy.tiers:
        return None
    parts = []
    for tier in policy.tiers:  # most notice first
        if tier.min_days_before:
            ahead = f"con {tier.min_days_before} días o más de anticipación"
        else:
            ahead = "con menos anticipación" if len(policy.tiers) > 1 else "en cualquier momento"
        if tier.percent == 0:
            parts.append(f"{ahead}, no hay devolución")
        elif tier.outcome is Outcome.CREDIT:
            valid = (
                f", válido por {tier.credit_valid_days} días"
                if tier.credit_valid_days is not None
                else ""
            )
            parts.append(
                f"{ahead}, el {percent(tier.percent)} de lo pagado queda como crédito "
                f"para otra fecha{valid}"
            )
        else:
            parts.append(f"{ahead}, te devolvemos el {percent(tier.percent)} de lo pagado")
    last = policy.tiers[-1].min_days_before
    if last > 0:
        parts.append("con menos anticipación, no hay devolución")
    return "Si cancelás: " + "; ".join(parts) + "."
