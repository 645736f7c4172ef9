"""A booking's price breakdown as stored in ``reservations.price_breakdown`` (JSONB): every
night with its rule, the fees, the discounts, the totals. Written once, when the booking is
made; read back as the domain's ``PriceBreakdown``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from domain.money import Money
from domain.pricing import (
    AppliedRule,
    DiscountLine,
    FeeKind,
    FeeLine,
    NightPrice,
    PriceBreakdown,
    Specificity,
)

VERSION = 1


def dump(b: PriceBreakdown) -> str:
    """JSON text (the driver's jsonb codec takes text)."""
    doc = {
        "v": VERSION,
        "currency": b.currency,
        # [night, cents, rule kind, rule name, weekend]: compact, a month of nights is small.
        "nights": [
            [n.night.isoformat(), n.price.cents, n.rule.kind.name.lower(), n.rule.name, n.weekend]
            for n in b.nights
        ],
        "fees": [[f.kind.value, f.unit.cents, f.quantity] for f in b.fees],
        "discounts": [[d.name, str(d.percent), d.amount.cents] for d in b.discounts],
        "total_cents": b.total.cents,
        "deposit_percent": str(b.deposit_percent),
        "deposit_cents": b.deposit.cents,
        "min_nights": b.min_nights,
        "arrival_weekdays": sorted(b.arrival_weekdays) if b.arrival_weekdays is not None else None,
    }
    return msgspec.json.encode(doc).decode()


def load(doc: dict[str, Any] | None) -> PriceBreakdown | None:
    if not doc:
        return None
    currency = doc["currency"]

    def money(cents: int) -> Money:
        return Money(cents, currency)

    weekdays = doc.get("arrival_weekdays")
    return PriceBreakdown(
        nights=tuple(
            NightPrice(
                date.fromisoformat(night),
                money(cents),
                AppliedRule(Specificity[kind.upper()], name),
                weekend,
            )
            for night, cents, kind, name, weekend in doc["nights"]
        ),
        fees=tuple(FeeLine(FeeKind(kind), money(unit), qty) for kind, unit, qty in doc["fees"]),
        discounts=tuple(
            DiscountLine(name, Decimal(percent), money(cents))
            for name, percent, cents in doc["discounts"]
        ),
        total=money(doc["total_cents"]),
        deposit_percent=Decimal(doc["deposit_percent"]),
        deposit=money(doc["deposit_cents"]),
        min_nights=doc["min_nights"],
        arrival_weekdays=frozenset(weekdays) if weekdays is not None else None,
    )
