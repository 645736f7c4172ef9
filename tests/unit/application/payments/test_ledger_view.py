"""What the owner reads of a booking's money (``GetLedger``): a booking cancelled while
confirmed with nothing in its ledger has unknown money, not nothing to give back."""

from __future__ import annotations

from datetime import timedelta

from application.back_office.reservations import (
    CancelHold,
    CancelReservation,
    ConfirmManually,
    ManualPayment,
)
from application.payments.ledger import GetLedger
from application.ports.ledger import LedgerTerms
from domain.booking.reservation import ReservationStatus
from domain.money import Money
from domain.payments.ledger import PaymentMethod
from tests.unit.application.fakes import FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin, hold

CODE = "7K3M9QXD2F10"
OTHER = "7K3M9QXD2F11"
OWNER = "duena@cabanas.ar"
TERMS = LedgerTerms()


def two_holds() -> tuple[FakeUnitOfWork, FixedClock]:
    uow = FakeUnitOfWork([cabin()])
    uow.reservations.committed[CODE] = hold(CODE)
    uow.reservations.committed[OTHER] = hold(OTHER)
    return uow, FixedClock(NOW + timedelta(minutes=5))


async def test_a_booking_confirmed_without_an_amount_and_cancelled_has_unknown_money() -> None:
    uow, clock = two_holds()
    await ConfirmManually(uow, clock)(CODE, OWNER, ManualPayment.CASH, None)
    await CancelReservation(uow, clock)(CODE, OWNER, "no viene")
    view = await GetLedger(uow, TERMS)(CODE)
    assert (view.reservation.status, view.ledger.recorded) == (ReservationStatus.CANCELLED, False)
    assert view.was_confirmed
    stands = view.standing(view.reservation.status)
    assert (stands.payments_known, stands.to_return) == (False, Money.zero())


async def test_a_hold_cancelled_unpaid_has_nothing_to_give_back_and_that_is_known() -> None:
    uow, clock = two_holds()
    await CancelHold(uow, clock)(OTHER, OWNER, "no pagó")
    view = await GetLedger(uow, TERMS)(OTHER)
    assert not view.was_confirmed
    assert view.standing(view.reservation.status).payments_known


async def test_once_a_payment_is_recorded_the_ledger_says_what_goes_back() -> None:
    uow, clock = two_holds()
    await ConfirmManually(uow, clock)(
        CODE, OWNER, ManualPayment.TRANSFER, None, amount=Money.of("90000")
    )
    await CancelReservation(uow, clock)(CODE, OWNER, "no viene")
    view = await GetLedger(uow, TERMS)(CODE)
    assert not view.was_confirmed  # nothing to ask: the ledger knows
    stands = view.standing(view.reservation.status)
    assert (stands.payments_known, stands.to_return) == (True, Money.of("90000"))
    assert view.ledger.paid_by(PaymentMethod.TRANSFER) == Money.of("90000")


async def test_confirmed_by_hand_with_money_the_guest_is_told_and_without_it_not() -> None:
    from application.ports.outbox import WhatsAppMessage

    uow, clock = two_holds()
    await ConfirmManually(uow, clock)(CODE, OWNER, ManualPayment.CASH, None)
    assert uow.outbox.sent(WhatsAppMessage) == []  # nothing received: nothing to say it with
    await ConfirmManually(uow, clock)(
        OTHER, OWNER, ManualPayment.TRANSFER, None, amount=Money.of("90000")
    )
    [told] = uow.outbox.sent(WhatsAppMessage)
    assert told.reservation == OTHER
    assert "confirmada" in told.text
    assert "90.000" in told.text


async def test_a_hold_let_go_closes_its_checkout_once() -> None:
    from dataclasses import replace

    from application.ports.outbox import PaymentLinkJob

    uow, clock = two_holds()
    uow.reservations.committed[CODE] = replace(hold(CODE), payment_preference="pref-1")
    await CancelHold(uow, clock)(CODE, OWNER, "no pagó")
    await CancelHold(uow, clock)(OTHER, OWNER, "no pagó")  # no checkout: nothing to close
    assert [(j.code, j.purpose) for j in uow.outbox.sent(PaymentLinkJob)] == [(CODE, "extend")]
