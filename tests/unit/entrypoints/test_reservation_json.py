"""The booking answer's JSON, byte for byte: what ``POST /reservations`` (201) and
``GET /reservations/{code}`` send for a reservation. A field renamed, reordered, added, dropped
or printed otherwise fails here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import msgspec
import pytest

from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.money import Money
from domain.payments.ledger import PaymentMethod
from domain.pricing.breakdown import (
    AppliedRule,
    DiscountLine,
    FeeKind,
    FeeLine,
    NightPrice,
    PriceBreakdown,
)
from domain.pricing.rules import Specificity
from domain.stay import Stay
from entrypoints.http import presenters

BASE = AppliedRule(Specificity.BASE, "Base")
HIGH = AppliedRule(Specificity.SEASON, "Temporada alta")


def _full() -> Reservation:
    nights = (
        NightPrice(date(2027, 1, 7), Money(8_000_000), HIGH, False),
        NightPrice(date(2027, 1, 8), Money(9_500_050), HIGH, True),
        NightPrice(date(2027, 1, 9), Money(9_500_050), HIGH, True),
        NightPrice(date(2027, 1, 10), Money(8_000_000), HIGH, False),
        NightPrice(date(2027, 1, 11), Money(6_000_000), BASE, False),
    )
    breakdown = PriceBreakdown(
        nights=nights,
        fees=(FeeLine(FeeKind.CLEANING, Money(1_500_000), 1), FeeLine(FeeKind.PET, Money(333), 3)),
        discounts=(DiscountLine("Semana", Decimal("10"), Money(4_100_010)),),
        total=Money(38_400_423),
        deposit_percent=Decimal("30"),
        deposit=Money(11_520_127),
        min_nights=3,
        arrival_weekdays=frozenset({4, 0}),
    )
    return Reservation(
        code=ReservationCode("7K3M9QXD2F4H"),
        accommodation_id=12,
        stay=Stay(date(2027, 1, 7), date(2027, 1, 12)),
        guests=3,
        guest=Guest("Juana María Pérez Gómez", "+5491155551234", "juana.perez@example.com"),
        total=Money(38_400_423),
        deposit=Money(11_520_127),
        channel=Channel.API,
        status=ReservationStatus.PRE_RESERVED,
        created_at=datetime(2026, 12, 2, 13, 4, 5, 123456, tzinfo=UTC),
        expires_at=datetime(2026, 12, 2, 14, 4, 5, 123456, tzinfo=UTC),
        notes="llegamos tarde",
        payment_url="https://mp.example/checkout?pref=abc",
        breakdown=breakdown,
        payment_method=PaymentMethod.MERCADOPAGO,
        credit_applied=Money(2_000_001),
    )


def _plain() -> Reservation:
    return Reservation(
        code=ReservationCode("ABCDEFGH2345"),
        accommodation_id=1,
        stay=Stay(date(2027, 3, 1), date(2027, 3, 3)),
        guests=2,
        guest=Guest("Ana", "+54911", None),
        total=Money(10_000),
        deposit=Money(3_000),
        channel=Channel.WHATSAPP,
        status=ReservationStatus.CONFIRMED,
        created_at=datetime(2026, 12, 2, 13, 4, 5, tzinfo=UTC),
        expires_at=None,
    )


FULL_PRE_RESERVED = (
    b'{"code":"7K3M9QXD2F4H","code_display":"7K3M-9QXD-2F4H","status":"pre_reserved",'
    b'"accommodation_id":12,"check_in":"2027-01-07","check_out":"2027-01-12","nights":5,'
    b'"guests":3,"total_amount":384004.23,"deposit_amount":115201.27,"currency":"ARS",'
    b'"channel":"api","created_at":"2026-12-02T13:04:05.123456Z",'
    b'"expires_at":"2026-12-02T14:04:05.123456Z",'
    b'"guest":{"name":"Juana G.","phone":"+549********34","email":"j***@example.com"},'
    b'"payment_url":"https://mp.example/checkout?pref=abc",'
    b'"quote":{"rates":['
    b'{"rule":"season","rule_name":"Temporada alta","weekend":false,"nights":2,'
    b'"nightly_amount":80000.0,"amount":160000.0},'
    b'{"rule":"season","rule_name":"Temporada alta","weekend":true,"nights":2,'
    b'"nightly_amount":95000.5,"amount":190001.0},'
    b'{"rule":"base","rule_name":"Base","weekend":false,"nights":1,'
    b'"nightly_amount":60000.0,"amount":60000.0}],'
    b'"fees":[{"kind":"cleaning","unit_amount":15000.0,"quantity":1,"amount":15000.0},'
    b'{"kind":"pet","unit_amount":3.33,"quantity":3,"amount":9.99}],'
    b'"discounts":[{"name":"Semana","percent":10.0,"amount":41000.1}],'
    b'"nights_amount":410001.0,"fees_amount":15009.99,"discounts_amount":41000.1,'
    b'"total_amount":384004.23,"deposit_percent":30.0,"deposit_amount":115201.27,'
    b'"balance_amount":268802.96,"min_nights":3,"arrival_weekdays":[0,4]},'
    b'"payment_method":"mercadopago","credit_amount":20000.01,'
    b'"deposit_to_pay_amount":95201.26}'
)

PLAIN_CONFIRMED = (
    b'{"code":"ABCDEFGH2345","code_display":"ABCD-EFGH-2345","status":"confirmed",'
    b'"accommodation_id":1,"check_in":"2027-03-01","check_out":"2027-03-03","nights":2,'
    b'"guests":2,"total_amount":100.0,"deposit_amount":30.0,"currency":"ARS",'
    b'"channel":"whatsapp","created_at":"2026-12-02T13:04:05Z","expires_at":null,'
    b'"guest":{"name":"Ana","phone":"******","email":null},"payment_url":null,"quote":null,'
    b'"payment_method":null,"credit_amount":null,"deposit_to_pay_amount":null}'
)


def test_a_hold_with_every_field_is_sent_exactly_so() -> None:
    r = _full()
    assert msgspec.json.encode(presenters.reservation(r, r.status)) == FULL_PRE_RESERVED


def test_a_plain_confirmed_booking_is_sent_exactly_so() -> None:
    r = _plain()
    assert msgspec.json.encode(presenters.reservation(r, r.status)) == PLAIN_CONFIRMED


@pytest.mark.parametrize("status", [ReservationStatus.EXPIRED, ReservationStatus.CANCELLED])
def test_past_a_hold_the_expiry_and_the_link_are_null(status: ReservationStatus) -> None:
    sent = msgspec.json.encode(presenters.reservation(_full(), status))
    expected = (
        FULL_PRE_RESERVED.replace(b'"pre_reserved"', f'"{status.value}"'.encode())
        .replace(b'"2026-12-02T14:04:05.123456Z"', b"null")
        .replace(b'"https://mp.example/checkout?pref=abc"', b"null")
    )
    assert sent == expected
