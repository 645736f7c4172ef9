"""A new hold's payment link, right away if the provider is quick."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from application.back_office.reservations import load_reservation
from application.booking.place_hold import PaymentsSetup, payment_link_job
from application.messaging.deposit_link import queue_deposit_link
from application.messaging.dispatch_outbox import DispatchOutbox
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.outbox import PaymentLinkJob
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import ReservationStatus
from domain.codes import ReservationCode
from domain.errors import Conflict, IllegalTransition, RuleViolation

log = logging.getLogger("cabanas.payments")


@dataclass(frozen=True, slots=True)
class CreatePaymentLinkNow:
    """Rules: the link job queued with the hold is sent at once, for at most
    ``setup.link_timeout_s``; if the provider is slow or fails, the hold stands without a link
    and the worker creates it later (``GET /reservations/{code}`` shows it then). Returns the
    link when there is one."""

    dispatch: DispatchOutbox
    uow: UnitOfWork
    setup: PaymentsSetup

    async def __call__(self, code: ReservationCode) -> str | None:
        try:
            async with asyncio.timeout(self.setup.link_timeout_s):
                await self.dispatch(dedupe_key=payment_link_job(code.value))
        except Exception as exc:  # the hold stands whatever happens here
            log.warning("payment_link_deferred", extra={"error": type(exc).__name__})
        async with self.uow:
            reservation = await self.uow.reservations.get(code)
        return reservation.payment_url if reservation else None


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
