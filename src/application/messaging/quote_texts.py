"""A quote and a cancellation policy as a guest reads them on WhatsApp (Argentine Spanish,
money as "$ 12.345"): nights by rate, fees, discounts, total and deposit; what cancelling
returns, tier by tier. The rate, fee and discount wording is the web page's (``/reservar``) too, and
the cancellation terms are worded here for every page and message that shows them."""

from __future__ import annotations

from decimal import Decimal

from application.messaging.texts import ars
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing.breakdown import DiscountLine, FeeKind, FeeLine, PriceBreakdown, RateLine
from domain.pricing.rules import Specificity

_RULES = {
    Specificity.SEASON: "temporada",
    Specificity.LONG_WEEKEND: "fin de semana largo",
    Specificity.OVERRIDE: "fecha especial",
}
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


def rate_words(rate: RateLine) -> list[str]:
    """What sets a rate apart, as the guest reads it: the weekend, and the name of the season,
    special date or long weekend that priced it (the owner's, or what kind of rule it is). The
    base rate's name is the business's own ("Tarifa base"): never shown."""
    words = ["fin de semana"] if rate.weekend else []
    if rate.rule.kind is not Specificity.BASE:
        name = rate.rule.name or _RULES.get(rate.rule.kind, "")
        if name:
            words.append(name)
    return words


def breakdown_lines(b: PriceBreakdown, *, totals: bool = True) -> list[str]:
    """One line per rate (its nights, what sets it apart, its price), fee and discount, then
    (``totals``) the total and the deposit — left out where the message states them already."""
    lines = []
    for rate in b.rates():
        qualifiers = rate_words(rate)
        apart = f" ({', '.join(qualifiers)})" if qualifiers else ""
        lines.append(
            f"• {_nights(rate.nights)}{apart}: "
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


def _days(count: int) -> str:
    return "1 día" if count == 1 else f"{count} días"


def _notice(least: int, most: int | None) -> str:
    """The days' notice a tier covers, from ``least`` to ``most`` (None: no upper bound), as a
    range the guest can place their date in."""
    if most is None:
        return (
            "Hasta el día de llegada" if least == 0 else f"Con {_days(least)} o más de anticipación"
        )
    if least == most:
        return "El día de llegada" if least == 0 else f"Con {_days(least)} de anticipación"
    if least == 0:
        return f"Con menos de {_days(most + 1)} de anticipación (hasta el día de llegada)"
    return f"Entre {least} y {_days(most)} antes de la llegada"


def _returned(tier: CancellationTier) -> str:
    if tier.percent == 0:
        return "no hay devolución"
    if tier.outcome is Outcome.CREDIT:
        until = (
            f"dentro de {_days(tier.credit_valid_days)}"
            if tier.credit_valid_days is not None
            else "cuando quieras (no vence)"
        )
        return (
            f"te queda un crédito del {percent(tier.percent)} de lo pagado para usar en otra "
            f"reserva {until}"
        )
    return f"te devolvemos el {percent(tier.percent)} de lo pagado"


def cancellation_lines(policy: CancellationPolicy | None) -> list[str]:
    """The policy as the guest reads it, wherever they do (``/reservar`` before paying,
    ``/r/{code}``, the WhatsApp confirmation): one sentence per tier, most notice first, each
    a range of days' notice ("Con 30 días o más…", "Entre 7 y 29 días…"), then what less
    notice than the last tier returns (nothing). A credit says how long it can be used. Empty
    without a policy (nothing is promised: the pages say to ask)."""
    if policy is None or not policy.tiers:
        return []
    lines = []
    most: int | None = None
    for tier in policy.tiers:  # most notice first
        lines.append(f"{_notice(tier.min_days_before, most)}: {_returned(tier)}.")
        most = tier.min_days_before - 1
    least = policy.tiers[-1].min_days_before
    if least == 1:
        lines.append("El día de llegada: no hay devolución.")
    elif least > 1:
        lines.append(f"Con menos de {_days(least)} de anticipación: no hay devolución.")
    return lines


def cancellation_terms(policy: CancellationPolicy | None) -> str | None:
    """The policy in a WhatsApp message: ``cancellation_lines`` under "Si cancelás:"; None when
    the cabin has none (nothing is promised)."""
    lines = cancellation_lines(policy)
    if not lines:
        return None
    return "Si cancelás:\n" + "\n".join(f"• {line}" for line in lines)
