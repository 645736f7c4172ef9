"""A booking that gives no nights collects nothing and owes back all it holds."""

from datetime import date

import pytest

from domain.booking.reservation import ReservationStatus
from domain.money import Money
from domain.payments.errors import RefundExceedsPaid
from domain.payments.ledger import BookingLedger, MoneyIn, MoneyOut, PaymentMethod
from domain.payments.standing import deposit_paid, returnable, standing

TOTAL, DEPOSIT = Money.of("390000"), Money.of("117000")
DAY = date(2026, 12, 3)


def ledger() -> BookingLedger:
    return BookingLedger.open(TOTAL, DEPOSIT, date(2026, 12, 26), date(2026, 12, 1))


def paid(reference: str, amount: str, method: PaymentMethod) -> MoneyIn:
    return MoneyIn(reference, method, Money.of(amount), DAY, "owner")


def out(reference: str, amount: str) -> MoneyOut:
    return MoneyOut(reference, Money.of(amount), DAY, "owner")


@pytest.mark.parametrize("status", [ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED])
def test_a_hold_or_a_booking_collects_its_balance_and_owes_nothing_back(
    status: ReservationStatus,
) -> None:
    led = ledger().record_payment(paid("t-1", "117000", PaymentMethod.TRANSFER))
    now = standing(led, status)
    assert (now.balance_due, now.balance_due_on) == (Money.of("273000"), date(2026, 12, 19))
    assert now.to_return == Money.zero()
    assert now.collecting


@pytest.mark.parametrize("status", [ReservationStatus.CANCELLED, ReservationStatus.EXPIRED])
def test_a_booking_that_gives_no_nights_collects_nothing_and_owes_back_what_it_holds(
    status: ReservationStatus,
) -> None:
    led = ledger().record_payment(paid("t-1", "54000", PaymentMethod.TRANSFER))
    assert standing(led, status).to_return == Money.of("54000")
    # Refunds and credits bring it down; they never raise what the guest owes.
    led = led.refund(out("r-1", "20000")).refund(out("r-2", "20000"))
    now = standing(led, status)
    assert (now.balance_due, now.balance_due_on, now.collecting) == (Money.zero(), None, False)
    assert now.to_return == Money.of("14000")
    led = led.credit(out("c-1", "14000"))
    assert standing(led, status).to_return == Money.zero()
    assert (led.refunded, led.credited, led.returned) == (
        Money.of("40000"),
        Money.of("14000"),
        Money.of("54000"),
    )


def test_what_was_paid_is_told_by_method_and_a_refund_too_large_says_how_much_is_left() -> None:
    led = (
        ledger()
        .record_payment(paid("t-1", "54000", PaymentMethod.TRANSFER))
        .record_payment(paid("mp:1", "10000", PaymentMethod.MERCADOPAGO))
    )
    assert led.paid_by(PaymentMethod.TRANSFER) == Money.of("54000")
    assert led.paid_by(PaymentMethod.MERCADOPAGO) == Money.of("10000")
    assert led.paid_by(PaymentMethod.CASH) == Money.zero()
    with pytest.raises(RefundExceedsPaid) as refused:
        led.refund(out("r-1", "64000.01"))
    assert refused.value.available == Money.of("64000")


def test_a_lapsed_holds_credit_is_the_guests_again_and_not_money_to_give_back() -> None:
    credit = MoneyIn("credit:7", PaymentMethod.CREDIT, Money.of("30000"), DAY, "credit")
    led = ledger().apply_credit(credit)
    # The credit is open for the guest's next booking again: nothing to give back …
    assert standing(led, ReservationStatus.EXPIRED).to_return == Money.zero()
    # … only what they paid on top of it.
    led = led.record_payment(paid("t-1", "20000", PaymentMethod.TRANSFER))
    assert standing(led, ReservationStatus.EXPIRED).to_return == Money.of("20000")
    # A cancelled booking keeps the credit it took (only a cancelled hold gives it back, by
    # releasing it): it is part of what goes back.
    assert standing(led, ReservationStatus.CANCELLED).to_return == Money.of("50000")


def test_a_holds_deposit_counts_what_it_holds_and_a_bookings_what_was_paid() -> None:
    led = ledger()
    hold, booked = ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED
    assert standing(led, hold).deposit_missing == DEPOSIT
    led = led.record_payment(paid("t-1", "50000", PaymentMethod.TRANSFER))
    assert standing(led, hold).deposit_missing == Money.of("67000")
    # Before it is confirmed, a refund un-pays its part: the hold needs it again to confirm.
    led = led.refund(out("r-1", "10000"))
    assert standing(led, hold).deposit_missing == Money.of("77000")
    # Once confirmed, what went back is the owner's doing: the deposit stays paid …
    led = led.record_payment(paid("t-2", "77000", PaymentMethod.TRANSFER))
    assert standing(led, booked).deposit_missing == Money.zero()
    led = led.refund(out("r-2", "1000")).credit(out("c-1", "2000"))
    assert standing(led, booked).deposit_missing == Money.zero()
    assert standing(led, booked).balance_due == Money.of("276000")  # … the balance counts it
    # A booking confirmed by hand with part of it misses the rest; one without nights, nothing.
    short = ledger().record_payment(paid("t-1", "17000", PaymentMethod.CASH))
    assert standing(short, booked).deposit_missing == Money.of("100000")
    for gone in (ReservationStatus.CANCELLED, ReservationStatus.EXPIRED):
        assert standing(short, gone).deposit_missing == Money.zero()


def test_the_deposit_is_paid_while_a_hold_holds_it_and_once_paid_for_any_other_booking() -> None:
    led = ledger().record_payment(paid("t-1", "117000", PaymentMethod.TRANSFER))
    led = led.refund(out("r-1", "1000"))
    assert not deposit_paid(led, ReservationStatus.PRE_RESERVED)
    for status in (
        ReservationStatus.CONFIRMED,
        ReservationStatus.CANCELLED,
        ReservationStatus.EXPIRED,
    ):
        assert deposit_paid(led, status)
    assert not deposit_paid(ledger(), ReservationStatus.CANCELLED)  # it never was


def test_the_most_that_can_go_back_is_what_the_guest_paid_not_a_holds_credit() -> None:
    credit = MoneyIn("credit:7", PaymentMethod.CREDIT, Money.of("50000"), DAY, "credit")
    led = ledger().apply_credit(credit).record_payment(paid("t-1", "30000", PaymentMethod.CASH))
    assert led.held == Money.of("80000")
    # A hold's credit comes back to the guest by itself (the hold lapsing or cancelled): a
    # refund or credit of it as well would give it back twice.
    for hold in (ReservationStatus.PRE_RESERVED, ReservationStatus.EXPIRED):
        most = returnable(led, hold)
        assert most == Money.of("30000")
        with pytest.raises(RefundExceedsPaid) as refused:
            led.refund(out("r-1", "30000.01"), most=most)
        assert refused.value.available == Money.of("30000")
        with pytest.raises(RefundExceedsPaid):
            led.credit(out("c-1", "30000.01"), most=most)
        given = led.refund(out("r-1", "20000"), most=most).credit(out("c-1", "10000"), most=most)
        assert returnable(given, hold) == Money.zero()
        with pytest.raises(RefundExceedsPaid) as refused:
            given.refund(out("r-2", "0.01"), most=returnable(given, hold))
        assert refused.value.available == Money.zero()
        assert standing(given, ReservationStatus.EXPIRED).to_return == Money.zero()
    # A booking that was confirmed spent it: it is money the booking holds like any other.
    for spent in (ReservationStatus.CONFIRMED, ReservationStatus.CANCELLED):
        assert returnable(led, spent) == Money.of("80000")
    # Without a credit, the most is what is held.
    plain = ledger().record_payment(paid("t-1", "30000", PaymentMethod.CASH))
    for status in ReservationStatus:
        assert returnable(plain, status) == plain.held == Money.of("30000")


def test_a_confirmed_booking_with_nothing_recorded_owes_an_unknown_balance_not_its_total() -> None:
    """Confirmed before the ledger existed, or on the owner's word without an amount: its
    deposit was paid, just never written down."""
    unknown = standing(ledger(), ReservationStatus.CONFIRMED)
    assert not unknown.payments_known
    assert (unknown.balance_due, unknown.deposit_missing) == (Money.zero(), Money.zero())
    assert (unknown.collecting, unknown.balance_due_on) == (True, date(2026, 12, 19))
    assert unknown.to_return == Money.zero()
    # A hold with nothing recorded has simply paid nothing yet.
    hold = standing(ledger(), ReservationStatus.PRE_RESERVED)
    assert hold.payments_known
    assert (hold.balance_due, hold.deposit_missing) == (TOTAL, DEPOSIT)
    # Once anything is recorded on it, the ledger says what it owes.
    paid = ledger().record_payment(paid_("t-1", "117000"))
    known = standing(paid, ReservationStatus.CONFIRMED)
    assert known.payments_known
    assert known.balance_due == Money.of("273000")
    refunded = paid.refund(out("r-1", "117000"))  # paid and all given back: known, owes all
    assert standing(refunded, ReservationStatus.CONFIRMED).balance_due == TOTAL


def paid_(reference: str, amount: str) -> MoneyIn:
    return paid(reference, amount, PaymentMethod.TRANSFER)


def test_a_cancelled_booking_that_was_confirmed_with_nothing_recorded_has_unknown_money() -> None:
    """Confirmed with nothing written down (before the ledger, or on the owner's word), then
    cancelled: it was paid a deposit, so what goes back is unknown — not "nothing"."""
    unknown = standing(ledger(), ReservationStatus.CANCELLED, was_confirmed=True)
    assert not unknown.payments_known
    assert (unknown.collecting, unknown.balance_due_on) == (False, None)
    assert (unknown.to_return, unknown.balance_due, unknown.deposit_missing) == (
        Money.zero(),
        Money.zero(),
        Money.zero(),
    )
    # A hold cancelled or lapsed with nothing recorded was never paid: nothing goes back.
    assert standing(ledger(), ReservationStatus.CANCELLED).payments_known
    # Once anything is recorded on it, the ledger says what goes back.
    recorded = ledger().record_payment(paid_("t-1", "117000"))
    known = standing(recorded, ReservationStatus.CANCELLED, was_confirmed=True)
    assert known.payments_known
    assert known.to_return == Money.of("117000")
