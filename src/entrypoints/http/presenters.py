"""Domain objects → HTTP DTOs."""

from __future__ import annotations

from typing import Any

from domain.booking.accommodation import Accommodation
from domain.booking.availability import Availability
from domain.booking.reservation import Channel, Reservation, ReservationStatus
from domain.money import Money
from domain.pricing.breakdown import PriceBreakdown
from domain.pricing.rules import Specificity
from entrypoints.http import schemas
from entrypoints.http.masking import mask_email, mask_name, mask_phone


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
    breakdown = item.breakdown
    # Positionally, amounts straight from cents (as ``amount``): one item per cabin per request.
    return schemas.AvailabilityItem(
        acc.id,
        acc.name,
        acc.capacity,
        item.available,
        nights,
        price.total.cents / 100 if price else None,
        price.deposit.cents / 100 if price else None,
        acc.base_price.currency,
        item.reason,
        item.reason_code,
        quote(breakdown) if breakdown is not None else None,
    )


# The JSON name of each rule's kind (``Specificity.name.lower()``, looked up once).
_RULE_NAMES = {kind: kind.name.lower() for kind in Specificity}


def quote(b: PriceBreakdown) -> schemas.Quote:
    # Amounts straight from integer cents (``cents / 100``, as ``amount``): availability presents
    # one breakdown per cabin per request, and the breakdown's Money properties would build a
    # Money object for each. The nights are grouped as ``PriceBreakdown.rates`` groups them (by
    # rule, weekend and price, in order of their first night), without its ``RateLine``s.
    lines: dict[tuple[Specificity, str, bool, int, str], list[Any]] = {}
    nights_cents = 0
    for night in b.nights:
        rule, price = night.rule, night.price
        cents = price.cents
        nights_cents += cents
        key = (rule.kind, rule.name, night.weekend, cents, price.currency)
        line = lines.get(key)
        if line is None:
            lines[key] = [rule, night.weekend, cents, 1]
        else:
            line[3] += 1
    rates = [
        schemas.QuoteRate(
            _RULE_NAMES[rule.kind], rule.name, weekend, count, cents / 100, cents * count / 100
        )
        for rule, weekend, cents, count in lines.values()
    ]
    fees_cents = 0
    fees = []
    for f in b.fees:
        cents = f.unit.cents * f.quantity
        fees_cents += cents
        fees.append(schemas.QuoteFee(f.kind.value, f.unit.cents / 100, f.quantity, cents / 100))
    discounts_cents = 0
    discounts = []
    for d in b.discounts:
        discounts_cents += d.amount.cents
        discounts.append(schemas.QuoteDiscount(d.name, float(d.percent), d.amount.cents / 100))
    total, deposit = b.total.cents, b.deposit.cents
    weekdays = b.arrival_weekdays
    return schemas.Quote(
        rates,
        fees,
        discounts,
        nights_cents / 100,
        fees_cents / 100,
        discounts_cents / 100,
        total / 100,
        float(b.deposit_percent),
        deposit / 100,
        (total - deposit) / 100,
        b.min_nights,
        sorted(weekdays) if weekdays is not None else None,
    )


# Each status's and channel's JSON value (``.value``, looked up once).
_STATUS_VALUES = {status: status.value for status in ReservationStatus}
_CHANNEL_VALUES = {channel: channel.value for channel in Channel}
_PRE_RESERVED = ReservationStatus.PRE_RESERVED


def reservation(r: Reservation, status: ReservationStatus) -> schemas.Reservation:
    # Positional, in the DTO's field order (``schemas.Reservation``); the JSON is pinned byte
    # for byte by tests/unit/entrypoints/test_reservation_json.py.
    stay, guest, total, deposit = r.stay, r.guest, r.total, r.deposit
    held = status is _PRE_RESERVED
    credit = r.credit_applied
    method = r.payment_method
    return schemas.Reservation(
        r.code.value,
        r.code.display,
        _STATUS_VALUES[status],
        r.accommodation_id,
        stay.check_in,
        stay.check_out,
        stay.nights,
        r.guests,
        total.cents / 100,
        deposit.cents / 100,
        total.currency,
        _CHANNEL_VALUES[r.channel],
        r.created_at,
        r.expires_at if held else None,
        schemas.GuestView(mask_name(guest.name), mask_phone(guest.phone), mask_email(guest.email)),
        r.payment_url if held else None,
        quote(r.breakdown) if r.breakdown is not None else None,
        method.value if method else None,
        credit.cents / 100 if credit else None,
        max(0, deposit.cents - credit.cents) / 100 if credit else None,
    )
