from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier
from domain.payments.errors import MoneyReferenceReused, RefundExceedsPaid
from domain.payments.ledger import (
    BookingLedger,
    Covers,
    Flag,
    MoneyIn,
    MoneyOut,
    PaymentMethod,
    answered_refund_reference,
    balance_due_on,
    reported_refunded_cents,
)

CHECK_IN = date(2027, 1, 15)
BOOKED = date(2026, 11, 2)
TOTAL, DEPOSIT = Money.of("300000"), Money.of("90000")


def ledger() -> BookingLedger:
    return BookingLedger.open(TOTAL, DEPOSIT, CHECK_IN, BOOKED, balance_due_days=7)


def paid(reference: str, amount: Money, method: PaymentMethod = PaymentMethod.TRANSFER) -> MoneyIn:
    return MoneyIn(reference, method, amount, date(2026, 11, 3), "owner")


def out(reference: str, amount: Money) -> MoneyOut:
    return MoneyOut(reference, amount, date(2026, 12, 1), "owner")


def test_the_balance_is_due_some_days_before_check_in_or_at_check_in_when_booked_later() -> None:
    assert ledger().balance_due_on == date(2027, 1, 8)
    assert balance_due_on(CHECK_IN, date(2027, 1, 10), 7) == CHECK_IN
    assert balance_due_on(CHECK_IN, BOOKED, 0) == CHECK_IN
    with pytest.raises(InvalidValue):
        balance_due_on(CHECK_IN, BOOKED, -1)


def test_deposit_then_balance_are_matched_and_the_ledger_says_what_is_due() -> None:
    led = ledger()
    assert (led.deposit_paid, led.balance_due) == (False, TOTAL)
    led = led.record_payment(paid("mp-1", DEPOSIT, PaymentMethod.MERCADOPAGO))
    assert led.payments[-1].covers is Covers.DEPOSIT
    assert led.deposit_paid
    assert led.balance_due == Money.of("210000")
    assert led.overdue(date(2027, 1, 9))
    assert not led.overdue(date(2027, 1, 8))
    led = led.record_payment(paid("cash-1", Money.of("210000"), PaymentMethod.CASH))
    assert led.payments[-1].covers is Covers.BALANCE
    assert led.balance_due == Money.zero()
    assert not led.overdue(date(2027, 1, 14))
    assert led.flagged == ()


def test_the_whole_total_at_once_is_matched() -> None:
    led = ledger().record_payment(paid("t-1", TOTAL))
    assert led.payments[0].covers is Covers.TOTAL


@pytest.mark.parametrize(
    ("amount", "flag", "counted"),
    [
        (Money.of("50000"), Flag.UNMATCHED, 50000_00),
        (Money.of("300001"), Flag.OVERPAID, 300001_00),
        (Money(90000_00, "USD"), Flag.OTHER_CURRENCY, 0),
    ],
)
def test_a_payment_matching_nothing_due_is_recorded_counted_and_flagged(
    amount: Money, flag: Flag, counted: int
) -> None:
    led = ledger().record_payment(paid("x", amount))
    (recorded,) = led.flagged
    assert (recorded.flag, recorded.covers, recorded.amount) == (flag, None, amount)
    assert led.paid == Money(counted)


def test_the_same_payment_twice_is_recorded_once_and_a_reused_reference_is_refused() -> None:
    led = ledger().record_payment(paid("mp-1", DEPOSIT))
    assert led.record_payment(paid("mp-1", DEPOSIT)) is led
    with pytest.raises(MoneyReferenceReused):
        led.record_payment(paid("mp-1", Money.of("1")))


def test_refunds_and_credits_never_exceed_what_was_paid() -> None:
    led = ledger().record_payment(paid("mp-1", DEPOSIT))
    led = led.refund(out("r-1", Money.of("50000")))
    assert led.refund(out("r-1", Money.of("50000"))) == led  # a retry changes nothing
    with pytest.raises(RefundExceedsPaid):
        led.credit(out("c-1", Money.of("40000.01")))
    led = led.credit(out("c-1", Money.of("40000")))
    assert led.held == Money.zero()
    assert led.balance_due == TOTAL
    with pytest.raises(RefundExceedsPaid):
        led.refund(out("r-2", Money(1)))
    with pytest.raises(MoneyReferenceReused):
        led.credit(out("r-1", Money.of("50000")))  # the refund's reference, as a credit


def test_a_refund_or_credit_retried_another_day_or_by_another_person_is_the_same_one() -> None:
    led = ledger().record_payment(paid("mp-1", DEPOSIT))
    led = led.refund(out("r-1", Money.of("20000"))).credit(out("c-1", Money.of("10000")))
    later = date(2026, 12, 2)  # the retry crossed midnight
    assert led.refund(MoneyOut("r-1", Money.of("20000"), later, "staff")) == led
    assert led.credit(MoneyOut("c-1", Money.of("10000"), later, "staff")) == led
    with pytest.raises(MoneyReferenceReused):
        led.refund(MoneyOut("r-1", Money.of("20000.01"), later, "owner"))
    with pytest.raises(MoneyReferenceReused):
        led.credit(MoneyOut("c-1", Money.of("9999.99"), date(2026, 12, 1), "owner"))


def test_cancelling_settles_what_is_held_by_the_policy() -> None:
    policy = CancellationPolicy(
        (CancellationTier(30, Decimal(100)), CancellationTier(10, Decimal(50)))
    )
    led = ledger().record_payment(paid("mp-1", DEPOSIT)).refund(out("r-0", Money.of("10000")))
    s = led.settle_cancellation(policy, date(2026, 12, 20))  # 26 days ahead
    assert (s.paid, s.refund, s.kept) == (Money.of("80000"), Money.of("40000"), Money.of("40000"))
    assert led.refund(out("r-1", s.refund)).held == Money.of("40000")


def test_a_deposit_larger_than_the_total_is_refused() -> None:
    with pytest.raises(InvalidValue):
        BookingLedger.open(DEPOSIT, TOTAL, CHECK_IN, BOOKED)


def test_a_refund_recorded_from_mercado_pagos_answer_is_the_requests_and_counts_as_reported() -> (
    None
):
    answered = answered_refund_reference("refund:abc", "901", 2_500_000)
    assert answered == "refund:abc@mp-refund:901:2500000"
    refunds = (out(answered, Money.of("20000")), out("mp-refund:901:500000", Money.of("5000")))
    assert reported_refunded_cents(refunds, "901") == 2_500_000
    assert reported_refunded_cents(refunds, "902") == 0
    held = ledger().record_payment(paid("mp:901", DEPOSIT, PaymentMethod.MERCADOPAGO))
    after = held.refund(refunds[0])
    assert after.refund_of("refund:abc") == refunds[0]  # the same request finds it
    assert after.refund_of("refund:ab") is None
    assert held.refund_of("refund:abc") is None
