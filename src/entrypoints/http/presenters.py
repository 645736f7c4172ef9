"""Domain objects → HTTP DTOs."""

from __future__ import annotations

from domain.booking.accommodation import Accommodation
from domain.booking.availability import Availability
from domain.booking.reservation import Reservation, ReservationStatus
from domain.money import Money
from domain.pricing.breakdown import PriceBreakdown
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
    return schemas.Quote(
        rates=[
            schemas.QuoteRate(
                rule=r.rule.kind.name.lower(),
                rule_name=r.rule.name,
                weekend=r.weekend,
                nights=r.nights,
                nightly_amount=amount(r.nightly),
                amount=amount(r.amount),
            )
            for r in b.rates()
        ],
        fees=[
            schemas.QuoteFee(f.kind.value, amount(f.unit), f.quantity, amount(f.amount))
            for f in b.fees
        ],
        discounts=[
            schemas.QuoteDiscount(d.name, float(d.percent), amount(d.amount)) for d in b.discounts
        ],
        nights_amount=amount(b.nights_total),
        fees_amount=amount(b.fees_total),
        discounts_amount=amount(b.discounts_total),
        total_amount=amount(b.total),
        deposit_percent=float(b.deposit_percent),
        deposit_amount=amount(b.deposit),
        balance_amount=amount(b.balance),
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
