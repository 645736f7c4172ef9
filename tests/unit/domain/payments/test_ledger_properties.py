"""Any sequence of payments, refunds and credits keeps the ledger's money safe."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.money import Money
from domain.payments.errors import RefundExceedsPaid
from domain.payments.ledger import BookingLedger, MoneyIn, MoneyOut, PaymentMethod

CHECK_IN = date(2027, 1, 15)
amounts = st.integers(1, 500_000_00).map(Money)
references = st.sampled_from([f"ref-{i}" for i in range(8)])
ops = st.lists(
    st.tuples(st.sampled_from(["pay", "refund", "credit"]), references, amounts),
    max_size=25,
)


@st.composite
def ledgers(draw: st.DrawFn) -> BookingLedger:
    total = draw(st.integers(1, 2_000_000_00))
    deposit = draw(st.integers(0, total))
    booked = CHECK_IN - timedelta(days=draw(st.integers(0, 400)))
    days = draw(st.integers(0, 30))
    return BookingLedger.open(Money(total), Money(deposit), CHECK_IN, booked, days)


def apply(led: BookingLedger, op: tuple[str, str, Money]) -> BookingLedger:
    kind, ref, amount = op
    try:
        if kind == "pay":
            return led.record_payment(
                MoneyIn(ref, PaymentMethod.TRANSFER, amount, CHECK_IN, "owner")
            )
        movement = MoneyOut(ref, amount, CHECK_IN, "owner")
        return led.refund(movement) if kind == "refund" else led.credit(movement)
    except RefundExceedsPaid:
        assert amount > led.held
        return led
    except DomainError:  # a reference reused with other details
        return led


@given(ledgers(), ops)
def test_money_out_never_exceeds_money_in_and_every_payment_is_kept(
    led: BookingLedger, sequence: list[tuple[str, str, Money]]
) -> None:
    for op in sequence:
        before = led
        led = apply(led, op)
        assert led.returned.cents <= led.paid.cents
        assert led.held.cents == led.paid.cents - led.returned.cents
        assert led.balance_due.cents == max(0, led.total.cents - led.held.cents)
        assert len(led.payments) >= len(before.payments)
        assert set(before.payments) <= set(led.payments)
        for p in led.payments:
            assert (p.covers is None) != (p.flag is None)
    assert led.paid.cents == sum(p.amount.cents for p in led.payments)
    assert len({p.reference for p in led.payments}) == len(led.payments)


@given(ledgers(), ops)
def test_recording_any_recorded_movement_again_changes_nothing(
    led: BookingLedger, sequence: list[tuple[str, str, Money]]
) -> None:
    """A retried webhook, a double click: every money path is idempotent."""
    for op in sequence:
        led = apply(led, op)
    for payment in led.payments:
        assert led.record_payment(payment) is led
    for refund in led.refunds:
        assert led.refund(refund) == led
    for credit in led.credits:
        assert led.credit(credit) == led
