"""Send what the outbox holds: at most once per row, retried with backoff when it may help."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from application.errors import IntegrationError
from application.messaging.retry import Backoff
from application.messaging.texts import payment_link
from application.ports.clock import Clock
from application.ports.messaging import MessageSender, OutboundMessage, ReplyButton
from application.ports.metrics import OperationsMetrics
from application.ports.outbox import OutboxItem, OutboxKind
from application.ports.payments import CheckoutRequest, PaymentGateway
from application.ports.tracing import current_trace
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Channel, ReservationStatus
from domain.codes import ReservationCode

log = logging.getLogger("cabanas.outbox")

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 10
# 30 s, 1 min, 2 min, … capped at an hour: ~5 h of trying over MAX_ATTEMPTS.
OUTBOX_BACKOFF = Backoff(first=RETRY_BASE, cap=RETRY_MAX)


@dataclass(frozen=True, slots=True)
class OutboxSetup:
    admin_phone: str | None = None
    checkout_title: str = "Seña de la reserva {code}"


@dataclass(slots=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DispatchOutbox:
    """Rules:
    - each row is locked (``SKIP LOCKED``) while it is sent and marked sent in the same
      transaction: two workers never send the same row;
    - retryable failures (timeouts, 5xx, rate limits) come back after an exponential backoff,
      up to ``MAX_ATTEMPTS``; permanent ones (a number that cannot receive WhatsApp, a refused
      request) fail at once; both are counted and logged;
    - a payment link is only created for a reservation that is still a live hold.
    """

    uow: UnitOfWork
    sender: MessageSender
    gateway: PaymentGateway
    clock: Clock
    metrics: OperationsMetrics
    setup: OutboxSetup

    async def __call__(self, *, limit: int = 50, dedupe_key: str | None = None) -> DispatchReport:
        report = DispatchReport()
        for _ in range(limit):
            async with self.uow:
                item = await self.uow.outbox.claim_due(self.clock.now(), dedupe_key=dedupe_key)
                if item is None:
                    break
                report.ids.append(item.id)
                # Log lines about this row carry the trace of the request that queued it.
                token = current_trace.set(item.trace_id or current_trace.get())
                try:
                    try:
                        provider_id = await self._send(item)
                    except IntegrationError as err:
                        await self._failed(item, err, report)
                    except Exception as exc:  # a bug: retried with backoff, never head-of-line
                        log.exception("outbox_send_crashed", extra={"outbox_id": item.id})
                        crash = IntegrationError(type(exc).__name__, retryable=True)
                        await self._failed(item, crash, report)
                    else:
                        await self.uow.outbox.mark_sent(item.id, self.clock.now(), provider_id)
                        self.metrics.outbox_sent(item.kind)
                        report.sent += 1
                        log.info("outbox_sent", extra={"outbox_id": item.id, "kind": item.kind})
                    await self.uow.commit()
                finally:
                    current_trace.reset(token)
            if dedupe_key is not None:
                break
        return report

    async def _failed(
        self, item: OutboxItem, err: IntegrationError, report: DispatchReport
    ) -> None:
        attempts = item.attempts + 1
        retry = err.retryable and attempts < MAX_ATTEMPTS
        if retry:
            await self.uow.outbox.retry_later(
                item.id, err.message, self.clock.now() + OUTBOX_BACKOFF.after(attempts)
            )
            report.retried += 1
        else:
            await self.uow.outbox.mark_failed(item.id, err.message)
            report.failed += 1
        self.metrics.outbox_failed(item.kind, permanent=not retry)
        log.log(
            logging.WARNING if retry else logging.ERROR,
            "outbox_retry" if retry else "outbox_failed",
            extra={
                "outbox_id": item.id,
                "kind": item.kind,
                "attempts": attempts,
                "error": err.message,
                "error_code": err.code,
            },
        )

    async def _send(self, item: OutboxItem) -> str | None:
        payload = item.payload
        if item.kind == OutboxKind.WHATSAPP_MESSAGE:
            buttons = tuple(
                ReplyButton(str(b["id"]), str(b["title"])) for b in payload.get("buttons", ())
            )
            return await self.sender.send(
                OutboundMessage(str(payload["to"]), str(payload["text"]), buttons)
            )
        if item.kind == OutboxKind.PAYMENT_LINK:
            return await self._payment_link(ReservationCode(str(payload["code"])))
        if item.kind == OutboxKind.ADMIN_ALERT:
            log.warning("admin_alert", extra={"alert": payload["text"]})
            if self.setup.admin_phone:
                return await self.sender.send(
                    OutboundMessage(self.setup.admin_phone, str(payload["text"]))
                )
            return None
        raise IntegrationError(f"unknown outbox kind {item.kind!r}", retryable=False)

    async def _payment_link(self, code: ReservationCode) -> str | None:
        reservation = await self.uow.reservations.get(code)
        now = self.clock.now()
        if (
            reservation is None
            or reservation.status is not ReservationStatus.PRE_RESERVED
            or reservation.expires_at is None
            or reservation.hold_lapsed(now)
            or reservation.payment_url
        ):
            return None  # nothing to pay for any more (or already done)
        link = await self.gateway.create_checkout(
            CheckoutRequest(
                code=code,
                title=self.setup.checkout_title.format(code=code.display),
                deposit=reservation.deposit,
                expires_at=reservation.expires_at,
                idempotency_key=f"checkout-{code.value}",
            )
        )
        await self.uow.reservations.set_payment_link(code, link.preference_id, link.url)
        if reservation.channel is Channel.WHATSAPP and reservation.guest.phone:
            # A guest booking on WhatsApp gets the link there, right after it exists.
            await self.uow.outbox.add(
                OutboxKind.WHATSAPP_MESSAGE,
                {
                    "to": reservation.guest.phone,
                    "text": payment_link(code.display, reservation.deposit, link.url),
                },
                now,
                dedupe_key=f"paylink:{code.value}",
                trace_id=None,
            )
        return link.preference_id
