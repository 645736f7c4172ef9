"""The most the owner can give back on a booking (refund or credit) is what the guest paid and
has not had back: never a hold's credit from an earlier cancellation, which comes back to the
guest by itself when the hold lapses."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.payments.credits import IssueCredit
from application.payments.ledger import GetLedger, RecordManualPayment
from application.payments.refunds import IssueRefund
from application.ports.ledger import LedgerTerms
from domain.booking.reservation import ReservationStatus
from domain.money import Money
from domain.payments.credits import GuestCredit
from domain.payments.errors import RefundExceedsPaid
from domain.payments.ledger import PaymentMethod
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, TODAY, cabin, hold

CODE = "7K3M9QXD2F10"
OWNER = "duena@cabanas.ar"
TERMS = LedgerTerms()
PHONE = "5491155551234"  # the hold's guest, as the credits key it


async def lapsed_hold_with_credit_and_cash() -> tuple[FakeUnitOfWork, FixedClock]:
    """A hold paid $ 50.000 by the guest's credit from an earlier cancellation and $ 30.000 in
    cash, that then lapsed (swept): its credit is open for the guest's next booking again."""
    uow = FakeUnitOfWork([cabin()])
    uow.reservations.committed[CODE] = hold(CODE)  # total 300.000, deposit 90.000
    credit = GuestCredit(PHONE, Money.of("50000"), "0000000000AA", "cancel:credit", "o", TODAY)
    uow.credits.rows[1] = (replace(credit, id=1), CODE)
    uow.credits.commit()
    clock = FixedClock(NOW + timedelta(minutes=5))
    await RecordManualPayment(uow, clock, TERMS)(
        CODE, PaymentMethod.CASH, 3_000_000, None, OWNER, "cash-key-000001"
    )
    uow.reservations.committed[CODE].status = ReservationStatus.EXPIRED
    assert uow.credits.has_open(PHONE, TODAY, clock.now())  # the guest's again
    return uow, clock


async def test_a_lapsed_holds_reopened_credit_is_not_refundable() -> None:
    uow, clock = await lapsed_hold_with_credit_and_cash()
    refund = IssueRefund(uow, clock, FakeGateway(), TERMS, uow)
    with pytest.raises(RefundExceedsPaid) as refused:
        await refund(CODE, 8_000_000, False, None, OWNER, "refund-key-all")
    assert refused.value.available == Money.of("30000")
    view = await GetLedger(uow, TERMS)(CODE)
    assert view.ledger.held == Money.of("80000")  # what the ledger holds, credit included
    assert view.returnable == Money.of("30000")  # what the form offers and accepts
    with pytest.raises(RefundExceedsPaid):
        await IssueCredit(uow, clock, TERMS)(CODE, 3_000_001, None, None, OWNER, "credit-key-1")
    done = await refund(CODE, 3_000_000, False, None, OWNER, "refund-key-cash")
    assert done.returnable == Money.zero()
    again = await refund(CODE, 3_000_000, False, None, OWNER, "refund-key-cash")
    assert again.recorded is False  # the same request: nothing more given back
    ledger = await uow.ledger.load(uow.reservations.committed[CODE], TERMS)
    assert ledger.refunded == Money.of("30000")
    assert await uow.payments.needing_attention(10) == []


async def test_a_live_holds_credit_is_not_refundable_either() -> None:
    uow, clock = await lapsed_hold_with_credit_and_cash()
    uow.reservations.committed[CODE].status = ReservationStatus.PRE_RESERVED
    with pytest.raises(RefundExceedsPaid) as refused:
        await IssueRefund(uow, clock, FakeGateway(), TERMS, uow)(
            CODE, 3_000_001, False, None, OWNER, "refund-key-live"
        )
    assert refused.value.available == Money.of("30000")


async def test_a_confirmed_bookings_credit_was_spent_on_it_and_goes_back_with_the_rest() -> None:
    uow, clock = await lapsed_hold_with_credit_and_cash()
    uow.reservations.committed[CODE].status = ReservationStatus.CONFIRMED
    assert (await GetLedger(uow, TERMS)(CODE)).returnable == Money.of("80000")
    done = await IssueRefund(uow, clock, FakeGateway(), TERMS, uow)(
        CODE, 8_000_000, False, None, OWNER, "refund-key-all"
    )
    assert done.returnable == Money.zero()
