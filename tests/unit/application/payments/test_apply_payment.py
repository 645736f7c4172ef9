"""ApplyPayment with in-memory fakes: the only way a hold becomes a booking without a person."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from application.payments.apply_payment import ApplyPayment
from application.ports.outbox import OwnerAlert, WhatsAppMessage
from domain.booking.reservation import Reservation, ReservationStatus
from domain.money import Money
from domain.payments.checkout import CheckoutPurpose
from domain.payments.payment import Action, Attention, Payment, PaymentStatus
from domain.stay import Stay
from tests.unit.application.fakes import FakeGateway, FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin, hold


def paid(reservation: Reservation, amount: Money | None = None, pid: str = "901") -> Payment:
    return Payment(
        id=pid,
        status=PaymentStatus.APPROVED,
        amount=amount or reservation.deposit,
        external_reference=reservation.code.value,
        approved_at=NOW,
        updated_at=NOW,
    )


async def setup(
    *reservations: Reservation,
) -> tuple[FakeUnitOfWork, FakeGateway, FixedClock, ApplyPayment]:
    uow = FakeUnitOfWork([cabin()])
    for r in reservations:
        uow.reservations.committed[r.code.value] = r
    gateway, clock = FakeGateway(), FixedClock(NOW + timedelta(minutes=5))
    return uow, gateway, clock, ApplyPayment(uow, gateway, clock, uow.metrics)


async def apply(use_case: ApplyPayment, uow: FakeUnitOfWork, payment_id: str) -> Action:
    async with uow:
        result = await use_case(payment_id)
        await uow.commit()
    return result.decision.action


async def stored(uow: FakeUnitOfWork, reservation: Reservation) -> Reservation:
    found = await uow.reservations.get(reservation.code)
    assert found is not None
    return found


async def test_an_approved_deposit_turns_the_hold_into_a_booking_and_tells_the_guest() -> None:
    reservation = hold()
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["901"] = paid(reservation)
    assert await apply(use_case, uow, "901") is Action.CONFIRM
    booked = await stored(uow, reservation)
    assert booked.status is ReservationStatus.CONFIRMED
    assert booked.paid_by == "901"
    [(message, _)] = uow.outbox.committed
    assert isinstance(message, WhatsAppMessage)
    assert message.to == reservation.guest.phone
    assert reservation.code.display in message.text
    assert message.template is not None  # outside the 24 h window, the approved template goes
    assert uow.metrics.confirmed == 1
    record = await uow.payments.get("901")
    assert record is not None
    assert (record.reservation_code, record.attention) == (reservation.code.value, None)


async def test_the_confirmation_of_a_stay_next_year_names_its_year() -> None:
    """A booking paid in December 2026 for January 2027 said "del 08/01 al 11/01": the
    WhatsApp text and the template's dates carry the year (the clock's year is 2026)."""
    reservation = replace(hold(), stay=Stay(date(2027, 1, 8), date(2027, 1, 11)))
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["901"] = paid(reservation)
    assert await apply(use_case, uow, "901") is Action.CONFIRM
    [(message, _)] = uow.outbox.committed
    assert isinstance(message, WhatsAppMessage)
    assert "en Cabaña del Lago del 08/01/2027 al 11/01/2027 está confirmada" in message.text
    assert message.template is not None
    assert message.template.params[3:5] == ("08/01/2027", "11/01/2027")


async def test_the_confirmation_links_to_the_guests_page() -> None:
    reservation = hold()
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["901"] = paid(reservation)
    await apply(use_case, uow, "901")
    [(message, _)] = uow.outbox.committed
    assert isinstance(message, WhatsAppMessage)
    assert message.page == f"/r/{reservation.code.value}"


async def test_a_short_amount_keeps_the_hold_and_alerts_the_owner() -> None:
    reservation = hold()
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["902"] = paid(reservation, Money.of("1000"), pid="902")
    assert await apply(use_case, uow, "902") is Action.FLAG
    assert (await stored(uow, reservation)).status is ReservationStatus.PRE_RESERVED
    [(message, dedupe)] = uow.outbox.committed
    assert isinstance(message, OwnerAlert)
    assert dedupe == f"alert:payment:902:{Attention.AMOUNT_SHORT.value}"
    record = await uow.payments.get("902")
    assert record is not None
    assert record.attention is Attention.AMOUNT_SHORT
    assert uow.metrics.attention == [Attention.AMOUNT_SHORT.value]
    assert uow.metrics.confirmed == 0


async def test_a_replayed_notification_changes_nothing_more() -> None:
    reservation = hold()
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["901"] = paid(reservation)
    await apply(use_case, uow, "901")
    after_first = (list(uow.outbox.committed), (await stored(uow, reservation)).status)
    assert await apply(use_case, uow, "901") is not Action.CONFIRM
    assert (list(uow.outbox.committed), (await stored(uow, reservation)).status) == after_first
    assert uow.metrics.confirmed == 1
    assert gateway.fetches == ["901", "901"]  # re-fetched each time, never trusted


async def test_a_lapsed_hold_whose_nights_were_sold_is_flagged_for_a_refund() -> None:
    lapsed = replace(hold(), status=ReservationStatus.EXPIRED, expires_at=NOW - timedelta(1))
    winner = replace(hold("8K3M9QXD2F10"), guest=replace(lapsed.guest, phone="+5491100000000"))
    uow, gateway, _, use_case = await setup(lapsed, winner)
    gateway.payments["903"] = paid(lapsed, pid="903")
    assert await apply(use_case, uow, "903") is Action.FLAG
    assert (await stored(uow, lapsed)).status is ReservationStatus.EXPIRED
    record = await uow.payments.get("903")
    assert record is not None
    assert record.attention is Attention.REFUND_REQUIRED


async def test_nothing_is_kept_when_the_caller_does_not_commit() -> None:
    reservation = hold()
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["901"] = paid(reservation)
    async with uow:
        await use_case("901")
    assert (await stored(uow, reservation)).status is ReservationStatus.PRE_RESERVED
    assert await uow.payments.get("901") is None
    assert uow.outbox.committed == []


async def test_a_balance_payment_is_stored_under_its_bookings_code_with_its_reference() -> None:
    reservation = hold()
    uow, gateway, _, use_case = await setup(reservation)
    gateway.payments["901"] = paid(reservation)
    await apply(use_case, uow, "901")
    code = reservation.code.value
    gateway.payments["904"] = replace(
        paid(reservation, Money.of("1000"), pid="904"), external_reference=f"{code}:balance"
    )
    for _ in range(2):  # notified again: the same record
        assert await apply(use_case, uow, "904") is Action.FLAG
    record = await uow.payments.get("904")
    assert record is not None
    assert (record.reservation_code, record.attention) == (code, Attention.BALANCE_MISMATCH)
    assert record.payment.external_reference == f"{code}:balance"  # what it paid for, kept
    assert record.purpose is CheckoutPurpose.BALANCE
    assert [r.payment.id for r in await uow.payments.for_reservation(code)] == ["901", "904"]


async def test_a_payment_for_no_booking_of_ours_is_stored_under_none() -> None:
    uow, gateway, _, use_case = await setup()
    gateway.payments["905"] = replace(paid(hold(), pid="905"), external_reference="OTRA-COSA")
    assert await apply(use_case, uow, "905") is Action.FLAG
    record = await uow.payments.get("905")
    assert record is not None
    assert (record.reservation_code, record.attention) == (None, Attention.UNKNOWN_REFERENCE)
    assert record.payment.external_reference == "OTRA-COSA"
    assert record.purpose is None
