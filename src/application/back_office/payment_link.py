"""The owner sends a hold's deposit link again (the console's "Reenviar link de pago")."""

from __future__ import annotations

from dataclasses import dataclass

from application.back_office.reservations import load_reservation
from application.booking.payment_link import CreatePaymentLinkNow
from application.booking.place_hold import payment_link_job
from application.messaging.deposit_link import queue_deposit_link
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.outbox import PaymentLinkJob
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import ReservationStatus
from domain.errors import Conflict, IllegalTransition, RuleViolation


class PaymentsNotConfigured(RuleViolation):
    """No payment provider: there is no link to send (the owner tells the guest how to pay)."""

    code = "payments_not_configured"


class PaymentLinkPending(Conflict):
    """The provider has not given the link yet; the worker keeps trying and sends it."""

    code = "payment_link_pending"


@dataclass(frozen=True, slots=True)
class ResendPaymentLink:
    """Rules: only a live hold has a deposit to pay (409 otherwise). Without a link yet, the
    link job is queued (once) and tried at once (``CreatePaymentLinkNow``); without Mercado
    Pago configured there is none to send. With the link, the guest is sent it again on
    WhatsApp (its template outside the 24 h window) and by e-mail when they gave one —
    whatever channel they booked through; clicks within the same minute send it once.
    Audited."""

    uow: UnitOfWork
    clock: Clock
    create_now: CreatePaymentLinkNow

    async def __call__(self, raw_code: str, actor: str) -> str:
        now = self.clock.now()
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code)
        if reservation.status is not ReservationStatus.PRE_RESERVED or reservation.hold_lapsed(now):
            raise IllegalTransition(f"{reservation.code.display} is not a live hold")
        code = reservation.code
        if reservation.payment_url is None:
            if not self.create_now.setup.enabled:
                raise PaymentsNotConfigured("no payment provider is configured")
            async with self.uow:
                await self.uow.outbox.put(
                    PaymentLinkJob(code.value), now, dedupe_key=payment_link_job(code.value)
                )
                await self.uow.commit()
            if await self.create_now(code) is None:
                raise PaymentLinkPending("the payment link is not ready yet")
            async with self.uow:
                reservation = await load_reservation(self.uow, raw_code)
        url = reservation.payment_url
        assert url is not None
        async with self.uow:
            await queue_deposit_link(
                self.uow.outbox,
                reservation,
                url,
                now,
                key=f"paylink:{code.value}:again:{now:%Y%m%d%H%M}",
            )
            await self.uow.audit.record(
                AuditEntry(actor, "reservation.resend_payment_link", code.value, now)
            )
            await self.uow.commit()
        return url
