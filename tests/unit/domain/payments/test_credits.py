"""Credits tied to a guest's phone: issuing, expiry, how they cover a new booking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.payments.credits import GuestCredit, allocate, applied_reference
from domain.payments.errors import InvalidCancellationPolicy
from domain.payments.ledger import BookingLedger, Covers, MoneyIn, PaymentMethod

TODAY = date(2027, 3, 1)


def credit(
    cents: int, *, id: int, expires_on: date | None = None, currency: str = "ARS"
) -> GuestCredit:
    return GuestCredit(
        "541155551234",
        Money(cents, currency),
        "AAAA1111",
        f"cancel:{id}",
        "owner@example.com",
        date(2027, 1, 1),
        expires_on,
        id,
    )


def test_a_credit_is_tied_to_the_normalised_phone_whatever_way_it_was_written() -> None:
    typed = GuestCredit.issue("+54 11 5555-1234", Money(100), "C", "r", "o", TODAY)
    whatsapp = GuestCredit.issue("5491155551234", Money(100), "C", "r", "o", TODAY)
    assert typed.phone == whatsapp.phone == "541155551234"


def test_a_credit_expires_the_policys_number_of_days_after_it_is_issued() -> None:
    c = GuestCredit.issue("+5491155551234", Money(100), "C", "r", "o", TODAY, valid_days=90)
    assert c.expires_on == date(2027, 5, 30)
    assert c.usable_on(date(2027, 5, 30))
    assert not c.usable_on(date(2027, 5, 31))
    assert GuestCredit.issue("1", Money(1), "C", "r", "o", TODAY).expires_on is None


@pytest.mark.parametrize("phone", ["", "   ", "no phone"])
def test_a_credit_needs_a_phone(phone: str) -> None:
    with pytest.raises(InvalidValue):
        GuestCredit.issue(phone, Money(100), "C", "r", "o", TODAY)


def test_a_credit_of_nothing_is_refused() -> None:
    with pytest.raises(InvalidValue):
        GuestCredit.issue("1155551234", Money(0), "C", "r", "o", TODAY)


def test_the_credit_expiring_soonest_is_used_first_and_a_remainder_stays_the_guests() -> None:
    undated = credit(50_000, id=1)
    soon = credit(30_000, id=2, expires_on=date(2027, 4, 1))
    uses = allocate((undated, soon), Money(60_000), TODAY)
    assert [(u.credit.id, u.applied.cents, u.remainder.cents) for u in uses] == [
        (2, 30_000, 0),
        (1, 30_000, 20_000),
    ]


def test_expired_and_foreign_currency_credits_are_not_applied() -> None:
    expired = credit(10_000, id=1, expires_on=date(2027, 2, 28))
    dollars = credit(10_000, id=2, currency="USD")
    assert allocate((expired, dollars), Money(60_000), TODAY) == ()


def test_nothing_is_applied_to_a_booking_that_owes_nothing() -> None:
    assert allocate((credit(10_000, id=1),), Money(0), TODAY) == ()


def ledger() -> BookingLedger:
    return BookingLedger.open(Money(100_000), Money(30_000), date(2027, 4, 10), TODAY, 7)


def by_credit(cents: int, id: int = 1) -> MoneyIn:
    return MoneyIn(applied_reference(id), PaymentMethod.CREDIT, Money(cents), TODAY, "credit")


def test_a_credit_pays_part_of_the_deposit_and_the_rest_of_the_deposit_matches_it() -> None:
    after = ledger().apply_credit(by_credit(10_000))
    assert after.credit_applied == Money(10_000)
    assert after.deposit_owed == Money(20_000)
    assert not after.deposit_paid
    assert after.payments[0].covers is Covers.DEPOSIT
    assert after.payments[0].flag is None
    paid = after.record_payment(
        MoneyIn("mp:1", PaymentMethod.MERCADOPAGO, Money(20_000), TODAY, "mercadopago")
    )
    assert paid.payments[-1].covers is Covers.DEPOSIT
    assert paid.payments[-1].flag is None
    assert paid.deposit_paid
    assert paid.balance_due == Money(70_000)


def test_a_credit_covering_the_deposit_lowers_the_balance_too() -> None:
    after = ledger().apply_credit(by_credit(45_000))
    assert after.deposit_paid
    assert after.deposit_owed == Money(0)
    assert after.balance_due == Money(55_000)


def test_a_credit_is_applied_once_and_never_beyond_what_is_owed() -> None:
    once = ledger().apply_credit(by_credit(10_000))
    assert once.apply_credit(by_credit(10_000)) is once
    with pytest.raises(InvalidValue):
        ledger().apply_credit(by_credit(100_001))


def test_a_credit_tier_may_say_how_long_its_credit_lasts_and_the_settlement_carries_it() -> None:
    policy = CancellationPolicy(
        (CancellationTier(15, Decimal(100), Outcome.CREDIT, credit_valid_days=180),)
    )
    s = policy.settle(Money(30_000), date(2027, 4, 10), date(2027, 3, 1))
    assert s.credit == Money(30_000)
    assert s.credit_valid_days == 180


def test_only_a_credit_tier_has_a_validity() -> None:
    with pytest.raises(InvalidCancellationPolicy):
        CancellationTier(15, Decimal(100), Outcome.REFUND, credit_valid_days=30)
