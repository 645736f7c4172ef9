"""The outbox's Mercado Pago jobs besides the deposit link: extending a hold moves its
checkout's expiry; the balance's checkout goes to the guest with the reminder; a balance paid
through it is judged against the balance (in-memory fakes; end to end in
tests/e2e/test_balance_link.py)."""

from __future__ import annotations

from dataclasses import replace

from application.messaging.dispatch_outbox import DispatchOutbox, OutboxSetup
from application.payments.apply_payment import ApplyPayment
from application.payments.ledger import ExtendHold
from application.ports.ledger import LedgerTerms
from application.ports.outbox import PaymentLinkJob, WhatsAppMessage
from domain.booking.reservation import ReservationStatus
from domain.money import Money
from domain.payments.checkout import CheckoutPurpose, CheckoutReference, checkout_reference
from domain.payments.ledger import MoneyIn, PaymentMethod
from domain.payments.payment import Action, Attention, Payment, PaymentStatus
from tests.unit.application.fakes import (
    FakeGateway,
    FakeMailer,
    FakeSender,
    FakeUnitOfWork,
    FixedClock,
)
from tests.unit.domain.builders import NOW, cabin, hold


def test_the_checkout_reference_tells_deposit_from_balance() -> None:
    assert checkout_reference("ABCD", CheckoutPurpose.DEPOSIT) == "ABCD"
    assert checkout_reference("ABCD", CheckoutPurpose.BALANCE) == "ABCD:balance"
    assert CheckoutReference.parse("ABCD") == CheckoutReference("ABCD", CheckoutPurpose.DEPOSIT)
    assert CheckoutReference.parse("ABCD:balance") == CheckoutReference(
        "ABCD", CheckoutPurpose.BALANCE
    )
    assert CheckoutReference.parse("ABCD:deposit") is None
    assert CheckoutReference.parse("ABCD:tip") is None


async def test_extending_a_hold_with_a_link_moves_the_links_expiry_through_the_outbox() -> None:
    uow, clock, gateway = FakeUnitOfWork([cabin()]), FixedClock(NOW), FakeGateway()
    held = replace(hold(), payment_preference="pref-1", payment_url="https://x/1")
    uow.reservations.committed[held.code.value] = held
    extended = await ExtendHold(uow, clock)(held.code.value, 24, "owner@example.com")
    [job] = uow.outbox.sent(PaymentLinkJob)
    assert job == PaymentLinkJob(held.code.value, "extend")
    dispatch = DispatchOutbox(
        uow, FakeSender(), gateway, clock, uow.metrics, OutboxSetup(), FakeMailer()
    )
    await dispatch()
    assert gateway.extended == [("pref-1", extended.expires_at)]


async def test_a_hold_without_a_link_queues_nothing_to_extend() -> None:
    uow, clock = FakeUnitOfWork([cabin()]), FixedClock(NOW)
    held = hold()
    uow.reservations.committed[held.code.value] = held
    await ExtendHold(uow, clock)(held.code.value, 24, "owner@example.com")
    assert uow.outbox.sent(PaymentLinkJob) == []


async def test_the_balance_job_creates_the_balance_checkout_and_sends_it_to_the_guest() -> None:
    uow, clock, gateway = FakeUnitOfWork([cabin()]), FixedClock(NOW), FakeGateway()
    booked = replace(hold(), status=ReservationStatus.CONFIRMED, expires_at=None)
    uow.reservations.committed[booked.code.value] = booked
    # The deposit it was confirmed by, as the ledger holds it (the balance is read from there).
    deposit = MoneyIn("mp-1", PaymentMethod.MERCADOPAGO, booked.deposit, NOW.date(), "mercadopago")
    uow.ledger.committed.append((booked.code.value, "payment", deposit))
    await uow.outbox.put(PaymentLinkJob(booked.code.value, "balance"), NOW, dedupe_key="b")
    await uow.commit()
    await DispatchOutbox(
        uow, FakeSender(), gateway, clock, uow.metrics, OutboxSetup(), FakeMailer()
    )()
    [checkout] = gateway.checkouts
    assert checkout.purpose is CheckoutPurpose.BALANCE
    assert checkout.deposit == Money(booked.total.cents - booked.deposit.cents)
    [reminder] = uow.outbox.sent(WhatsAppMessage)
    assert reminder.template is not None
    assert reminder.template.name == "saldo_link_de_pago"
    assert reminder.template.params[-1] == f"https://pay.example/{booked.code}-balance"


async def test_a_balance_payment_of_the_wrong_amount_is_flagged_for_the_owner() -> None:
    uow, clock, gateway = FakeUnitOfWork([cabin()]), FixedClock(NOW), FakeGateway()
    booked = replace(hold(), status=ReservationStatus.CONFIRMED, expires_at=None)
    booked.paid_by = "1"
    uow.reservations.committed[booked.code.value] = booked
    apply = ApplyPayment(uow, gateway, clock, uow.metrics, LedgerTerms())
    gateway.payments["1"] = Payment("1", PaymentStatus.APPROVED, booked.deposit, booked.code.value)
    async with uow:
        await apply("1")
        await uow.commit()
    reference = checkout_reference(booked.code.value, CheckoutPurpose.BALANCE)
    gateway.payments["2"] = Payment("2", PaymentStatus.APPROVED, Money(100), reference)
    async with uow:
        short = await apply("2")
        await uow.commit()
    assert short.decision.attention is Attention.BALANCE_MISMATCH
    owed = booked.total.cents - booked.deposit.cents - 100
    gateway.payments["3"] = Payment("3", PaymentStatus.APPROVED, Money(owed), reference)
    async with uow:
        rest = await apply("3")
        await uow.commit()
    assert rest.decision.action is Action.RECORD
    ledger = await uow.ledger.load(booked, LedgerTerms())
    assert ledger.balance_due == Money(0)
    assert [p.flag for p in ledger.payments] == [None, "unmatched", None]
