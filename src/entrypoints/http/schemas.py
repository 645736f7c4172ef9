"""HTTP DTOs (msgspec Structs): they live only here and are converted explicitly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

# E.164; in Argentina (+54) never with the trunk 0, nor a toll-free, premium-rate or shared-cost
# number (800, 600, 810): no guest answers WhatsApp there (the booking page refuses them too).
E164 = r"^\+(?!54(?:0|800|600|810))[1-9][0-9]{7,14}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"

AccommodationId = Annotated[int, msgspec.Meta(ge=1, le=2**62, description="Accommodation id")]
Guests = Annotated[int, msgspec.Meta(ge=1, le=100, description="Number of guests")]
Amount = Annotated[float, msgspec.Meta(description="Amount in `currency`, at most 2 decimals")]


class Accommodation(msgspec.Struct):
    id: int
    name: str
    description: str
    capacity: int
    base_price: Amount
    weekend_multiplier: float
    min_nights: int
    amenities: list[str]
    currency: str


class QuoteRate(msgspec.Struct):
    """Nights sold at one price under one rule (``rule``: base, season, long_weekend or
    override; ``rule_name``: the owner's name for it)."""

    rule: str
    rule_name: str
    weekend: bool
    nights: int
    nightly_amount: Amount
    amount: Amount


class QuoteFee(msgspec.Struct):
    kind: str  # cleaning, extra_guests, pet
    unit_amount: Amount
    quantity: int
    amount: Amount


class QuoteDiscount(msgspec.Struct):
    name: str
    percent: float
    amount: Amount


class Quote(msgspec.Struct):
    """The price as a breakdown: total = nights − discounts + fees."""

    rates: list[QuoteRate]
    fees: list[QuoteFee]
    discounts: list[QuoteDiscount]
    nights_amount: Amount
    fees_amount: Amount
    discounts_amount: Amount
    total_amount: Amount
    deposit_percent: float
    deposit_amount: Amount
    balance_amount: Amount
    min_nights: int
    arrival_weekdays: list[int] | None  # 0 Monday … 6 Sunday; null: any day


class AvailabilityItem(msgspec.Struct):
    accommodation_id: int
    name: str
    capacity: int
    available: bool
    nights: int
    total_amount: Amount | None
    deposit_amount: Amount | None
    currency: str
    reason: str | None
    reason_code: str | None
    quote: Quote | None = None


class Availability(msgspec.Struct):
    check_in: date
    check_out: date
    guests: int
    nights: int
    accommodations: list[AvailabilityItem]


class OccupiedRange(msgspec.Struct):
    check_in: date
    check_out: date


class Calendar(msgspec.Struct):
    accommodation_id: int
    from_: date = msgspec.field(name="from")
    to: date = msgspec.field(name="to")
    occupied: list[OccupiedRange] = msgspec.field(default_factory=list)


class ReservationRequest(msgspec.Struct, forbid_unknown_fields=True):
    accommodation_id: AccommodationId
    check_in: date
    check_out: date
    guests: Guests
    guest_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    guest_phone: Annotated[
        str,
        msgspec.Meta(
            pattern=E164, description="E.164, e.g. +5491155551234", examples=["+5491155551234"]
        ),
    ]
    guest_email: Annotated[str, msgspec.Meta(pattern=EMAIL, max_length=320)] | None = None
    notes: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    # How the deposit will be paid: a Mercado Pago link (the hold lasts HOLD_MINUTES) or a bank
    # transfer (no link; the hold lasts TRANSFER_HOLD_HOURS, the owner records the payment).
    payment_method: Literal["mercadopago", "transfer"] = "mercadopago"


class GuestView(msgspec.Struct):
    name: str
    phone: str
    email: str | None


class Reservation(msgspec.Struct):
    code: str
    code_display: str
    status: str
    accommodation_id: int
    check_in: date
    check_out: date
    nights: int
    guests: int
    total_amount: Amount
    deposit_amount: Amount
    currency: str
    channel: str
    created_at: datetime
    expires_at: datetime | None
    guest: GuestView
    # Mercado Pago checkout for the deposit; null until created (or when payments are off).
    payment_url: str | None = None
    # The breakdown it was sold with (null for bookings made before breakdowns were kept).
    quote: Quote | None = None
    payment_method: str | None = None  # mercadopago or transfer; null for older bookings
    # Credit from the guest's earlier cancellation applied to this booking when it was placed,
    # and what is then left to pay of the deposit (null when no credit was applied).
    credit_amount: Amount | None = None
    deposit_to_pay_amount: Amount | None = None


class ProbeCheck(msgspec.Struct):
    ok: bool
    critical: bool
    latency_ms: float
    error: str | None = None


class Health(msgspec.Struct):
    status: str
    checks: dict[str, ProbeCheck]


class Readiness(msgspec.Struct):
    status: str
    detail: str | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str | None = None
    errors: list[dict[str, str]] | None = None
    # A limit the request ran into: the setting's name and its value (hold limits).
    limit: str | None = None
    limit_value: int | None = None
    # A refund not made: what Mercado Pago had refunded that the ledger did not count (cents).
    found_amount_cents: int | None = None
    # ... and how much of it the ledger took now (cents).
    recorded_amount_cents: int | None = None
