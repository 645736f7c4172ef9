"""Domain objects → HTTP DTOs."""

from __future__ import annotations

from typing import Any

from domain.booking.accommodation import Accommodation
from domain.booking.availability import Availability
from domain.booking.reservation import Reservation, ReservationStatus
from domain.money import Money
from domain.pricing.breakdown import PriceBreakdown
from domain.pricing.rules import Specificity
from entrypoints.http import schemas
from entrypoints.http.masking import mask_email, mask_name, mask_phone

# The API's word for each kind of rule (``base``, ``season``, ``long_weekend``, ``override``).
_RULE_KINDS = {kind: kind.name.lower() for kind in Specificity}


def amount(money: Money) -> float:
    # JSON numbers; cents / 100 is the double nearest the two-decimal amount, and its shortest
    # repr (what JSON encoders print) is exactly that amount.
    return money.cents / 100


def accommodation(a: Accommodation) -> schemas.Accommodation:
    return schemas.Accommodation(
        id=a.id,
        name=a.name,
        description=a.description,
        capacity=a.capacity,
        base_price=amount(a.base_price),
        weekend_multiplier=float(a.weekend_multiplier),
        min_nights=a.min_nights,
        amenities=list(a.amenities),
        currency=a.base_price.currency,
    )


def availability_item(item: Availability, nights: int) -> schemas.AvailabilityItem:
    acc = item.accommodation
    price = item.quote
    return schemas.AvailabilityItem(
        accommodation_id=acc.id,
        name=acc.name,
        capacity=acc.capacity,
        available=item.available,
        nights=nights,
        total_amount=amount(price.total) if price else None,
        deposit_amount=amount(price.deposit) if price else None,
        currency=acc.base_price.currency,
        reason=item.reason,
        reason_code=item.reason_code,
        quote=quote(item.breakdown) if item.breakdown is not None else None,
    )


def quote(b: PriceBreakdown) -> schemas.Quote:
    # Amounts straight from integer cents (``cents / 100``, as ``amount``), and the nights grouped
    # here as ``PriceBreakdown.rates`` groups them (rule, weekend, price; every price of a cabin
    # is in one currency) without its ``RateLine`` objects: availability presents one breakdown
    # per cabin per request.
    lines: dict[tuple[Specificity, str, bool, int], list[Any]] = {}
    nights_cents = 0
    for night in b.nights:
        rule, cents = night.rule, night.price.cents
        nights_cents += cents
        key = (rule.kind, rule.name, night.weekend, cents)
        line = lines.get(key)
        if line is None:
            lines[key] = [_RULE_KINDS[rule.kind], rule.name, night.weekend, 1, cents]
        else:
            line[3] += 1
    rates = [
        schemas.QuoteRate(kind, name, weekend, count, cents / 100, cents * count / 100)
        for kind, name, weekend, count, cents in lines.values()
    ]
    fees_cents = 0
    fees = []
    for f in b.fees:
        cents = f.unit.cents * f.quantity
        fees_cents += cents
        fees.append(schemas.QuoteFee(f.kind.value, f.unit.cents / 100, f.quantity, cents / 100))
    discounts_cents = sum([d.amount.cents for d in b.discounts])
    total, deposit = b.total.cents, b.deposit.cents
    return schemas.Quote(
        rates=rates,
        fees=fees,
        discounts=[
            schemas.QuoteDiscount(d.name, float(d.percent), amount(d.amount)) for d in b.discounts
        ],
        nights_amount=nights_cents / 100,
        fees_amount=fees_cents / 100,
        discounts_amount=discounts_cents / 100,
        total_amount=total / 100,
        deposit_percent=float(b.deposit_percent),
        deposit_amount=deposit / 100,
        balance_amount=(total - deposit) / 100,
        min_nights=b.min_nights,
        arrival_weekdays=sorted(b.arrival_weekdays) if b.arrival_weekdays is not None else None,
    )


def reservation(r: Reservation, status: ReservationStatus) -> schemas.Reservation:
    return schemas.Reservation(
        code=r.code.value,
        code_display=r.code.display,
        status=status.value,
        accommodation_id=r.accommodation_id,
        check_in=r.stay.check_in,
        check_out=r.stay.check_out,
        nights=r.stay.nights,
        guests=r.guests,
        total_amount=amount(r.total),
        deposit_amount=amount(r.deposit),
        currency=r.total.currency,
        channel=r.channel.value,
        created_at=r.created_at,
        expires_at=r.expires_at if status is ReservationStatus.PRE_RESERVED else None,
        guest=schemas.GuestView(
            name=mask_name(r.guest.name),
            phone=mask_phone(r.guest.phone),
            email=mask_email(r.guest.email),
        ),
        payment_url=r.payment_url if status is ReservationStatus.PRE_RESERVED else None,
        quote=quote(r.breakdown) if r.breakdown is not None else None,
        payment_method=r.payment_method.value if r.payment_method else None,
        credit_amount=amount(r.credit_applied) if r.credit_applied else None,
        deposit_to_pay_amount=amount(
            Money(max(0, r.deposit.cents - r.credit_applied.cents), r.deposit.currency)
        )
        if r.credit_applied
        else None,
    )
