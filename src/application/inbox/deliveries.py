"""Webhook deliveries: recorded before we answer, processed right after, retried by the worker.

A delivery is a row in ``idempotency_keys`` (scope = provider, key = what identifies the
delivery). Recording it is what makes a duplicate harmless: the second insert finds the first.
Processing locks the row and marks it processed in the same transaction as its effects, so a
crash in between leaves it unprocessed for the worker — never half-applied, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from application.conversation.converse import Converse, Delivery
from application.conversation.opt_out import answer_opt_choice
from application.conversation.turn import InboundMessage
from application.errors import IntegrationError, StorageUnavailable
from application.messaging import console_pages
from application.messaging.retry import Backoff
from application.messaging.texts import admin_payment_unverified
from application.payments.apply_payment import ApplyPayment
from application.ports.clock import Clock
from application.ports.idempotency import MERCADOPAGO, WHATSAPP
from application.ports.metrics import UNVERIFIED_PAYMENT, OperationsMetrics
from application.ports.outbox import OwnerAlert
from application.ports.unit_of_work import UnitOfWork
from domain.messaging.service_window import whatsapp_id

log = logging.getLogger("cabanas.deliveries")

# After this many failed attempts (about a day of backoff) a delivery is given up, loudly.
MAX_DELIVERY_ATTEMPTS = 20
MAX_DELIVERY_BACKOFF = timedelta(hours=2)
# The worker leaves fresh deliveries to the web process that received them.
REPROCESS_AFTER = timedelta(minutes=1)
# A failed delivery is retried 1, 2, 4, … minutes later, at most 2 hours apart.
DELIVERY_BACKOFF = Backoff(first=REPROCESS_AFTER, cap=MAX_DELIVERY_BACKOFF)


@dataclass(frozen=True, slots=True)
class RecordDelivery:
    """Rules: the first delivery of a key is stored (with its minimal payload) and answered
    202; later ones are answered 202 and not processed again."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, scope: str, key: str, payload: Mapping[str, Any]) -> bool:
        """True when this delivery is new."""
        async with self.uow:
            prior = await self.uow.idempotency.claim(scope, key, self.clock.now(), payload=payload)
            await self.uow.commit()
        return prior is None


@dataclass(frozen=True, slots=True)
class HandleWhatsAppUpdate:
    """A status update is recorded on the outbox row of the message it is about, in the
    delivery's transaction. An inbound message first records when the number wrote (its
    customer-service window: WhatsApp's timestamp, never later than now); a BAJA, STOP or
    ALTA is answered in that same transaction (``answer_opt_choice``); anything else is
    answered by the booking assistant (``Converse``): it needs transactions of its own (a
    hold commits by itself), so this one only reads the payload, and the assistant marks the
    delivery processed in its last transaction, together with its replies (see its
    docstring)."""

    uow: UnitOfWork
    clock: Clock
    converse: Converse

    async def __call__(self, key: str, trace_id: str | None) -> bool:
        async with self.uow:
            payload = await self.uow.idempotency.lock_unprocessed(WHATSAPP, key)
            if payload is None:
                return False
            if payload.get("type") == "status":
                await self.uow.outbox.record_delivery(str(payload["id"]), str(payload["status"]))
                await self.uow.idempotency.mark_processed(WHATSAPP, key, self.clock.now())
                await self.uow.commit()
                return True
            message = InboundMessage.from_payload(payload)
            # Opens (or extends) the number's 24 h window before any reply is queued.
            now = self.clock.now()
            await self.uow.contacts.note_inbound(
                whatsapp_id(message.phone), _written_at(payload, now)
            )
            if await answer_opt_choice(self.uow, message, now, trace_id):  # BAJA, STOP, ALTA
                await self.uow.idempotency.mark_processed(WHATSAPP, key, now)
                await self.uow.commit()
                return True
            await self.uow.commit()
        return await self.converse(message, Delivery(WHATSAPP, key), trace_id)


@dataclass(frozen=True, slots=True)
class ProcessDelivery:
    uow: UnitOfWork
    clock: Clock
    apply_payment: ApplyPayment
    whatsapp: HandleWhatsAppUpdate
    metrics: OperationsMetrics

    async def __call__(self, scope: str, key: str, trace_id: str | None = None) -> bool:
        """True if this call processed it; False if it was already done, is being done by
        someone else, or failed (then it stays for the worker)."""
        try:
            if scope == WHATSAPP:
                return await self.whatsapp(key, trace_id)
            async with self.uow:
                payload = await self.uow.idempotency.lock_unprocessed(scope, key)
                if payload is None:
                    return False
                if scope == MERCADOPAGO:
                    result = await self.apply_payment(str(payload["payment_id"]), trace_id)
                    log.info(
                        "payment_notification",
                        extra={
                            "payment_id": payload["payment_id"],
                            "found": result.found,
                            "action": result.decision.action.value,
                            "reason": result.decision.reason,
                            "reservation": result.reservation_code,
                        },
                    )
                await self.uow.idempotency.mark_processed(scope, key, self.clock.now())
                await self.uow.commit()
                return True
        except (IntegrationError, StorageUnavailable) as err:
            # The provider, or the conversation store, is down: the worker tries again later.
            await self._failed(scope, key, str(err))
            return False
        except Exception as exc:  # a bug must not stall the queue nor retry every minute
            log.exception("delivery_crashed", extra={"scope": scope})
            await self._failed(scope, key, type(exc).__name__)
            return False

    async def _failed(self, scope: str, key: str, error: str) -> None:
        now = self.clock.now()
        async with self.uow:
            attempts = await self.uow.idempotency.note_failure(scope, key)
            retry_at = now + DELIVERY_BACKOFF.after(attempts)
            if attempts >= MAX_DELIVERY_ATTEMPTS:
                await self.uow.idempotency.mark_processed(scope, key, now)
                log.error(
                    "delivery_given_up",
                    extra={"scope": scope, "attempts": attempts, "error": error},
                )
                if scope == MERCADOPAGO:
                    # Money may have moved and nobody could check it: a person must look.
                    payment_id = key.split(":", 1)[0]
                    await self.uow.outbox.put(
                        OwnerAlert(
                            admin_payment_unverified(payment_id, attempts),
                            console_pages.PAYMENTS,
                        ),
                        now,
                        dedupe_key=f"alert:unverified:{payment_id}"[:200],
                    )
                    self.metrics.payment_attention(UNVERIFIED_PAYMENT)
            else:
                await self.uow.idempotency.hold_back(scope, key, retry_at)
                log.warning(
                    "delivery_failed",
                    extra={
                        "scope": scope,
                        "attempts": attempts,
                        "error": error,
                        "retry_at": retry_at.isoformat(),
                    },
                )
            await self.uow.commit()


def _written_at(payload: Mapping[str, Any], now: datetime) -> datetime:
    """When the person sent it (Meta's epoch-seconds ``timestamp``), or now if it is missing,
    unreadable or in the future."""
    try:
        sent = datetime.fromtimestamp(int(str(payload.get("timestamp") or "")), UTC)
    except (ValueError, OverflowError, OSError):
        return now
    return min(sent, now)
