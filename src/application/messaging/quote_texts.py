"""A quote and a cancellation policy as a guest reads them on WhatsApp (Argentine Spanish,
money as "$ 12.345"): nights by rate, fees, discounts, total and deposit; what cancelling
returns, tier by tier. The fee and discount wording is the web page's (``/reservar``) too."""

from __future__ import annotations

from decimal import Decimal

from application.messaging.texts import ars
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, Outcome
from domain.pricing.breakdown import DiscountLine, FeeKind, FeeLine, PriceBreakdown

_FEES = {
    FeeKind.CLEANING: "Limpieza",
    FeeKind.EXTRA_GUESTS: "Personas extra",
    FeeKind.PET: "Mascota",
}


def percent(value: Decimal) -> str:
    """10 → "10 %", 7.5 → "7,5 %" (a decimal comma, as written in Argentina)."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text} %"


def _nights(count: int) -> str:
    return "1 noche" if count == 1 else f"{count} noches"


def _people(count: int) -> str:
    return "1 persona extra" if count == 1 else f"{count} personas extra"


def fee_words(fee: FeeLine, nights: int) -> str:
    """A fee as the guest reads it, without its amount: "Limpieza"; the extra-guest fee as
    people and nights ("2 personas extra × 3 noches × $ 10.000"), since its quantity is their
    product and "6 × $ 10.000" reads as six extra people."""
    label = _FEES.get(fee.kind, fee.kind.value)
    if fee.kind is FeeKind.EXTRA_GUESTS and nights > 0 and fee.quantity % nights == 0:
        people = fee.quantity // nights
        return f"{_people(people)} × {_nights(nights)} × {ars(fee.unit)}"
    if fee.quantity == 1:
        return label
    return f"{label}: {fee.quantity} × {ars(fee.unit)}"


def discount_words(discount: DiscountLine) -> str:
    """ "Descuento estadía larga (10 %)"; a name that states its percentage already (the
    default one, "7+ noches −10 %") is not followed by it again."""
    share = percent(discount.percent)
    if share in discount.name or share.replace(",", ".") in discount.name:
        return f"Descuento {discount.name}"
    return f"Descuento {discount.name} ({share})".replace("  ", " ")


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
    nights = len(b.nights)
    for fee in b.fees:
        words = fee_words(fee, nights)
        lines.append(f"• {words}{' =' if '×' in words else ':'} {ars(fee.amount)}")
    for discount in b.discounts:
        lines.append(f"• {discount_words(discount)}: −{ars(discount.amount)}")
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
