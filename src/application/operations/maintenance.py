"""The worker's periodic duties besides sending: expiring holds and forgetting old keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from application.inbox.deliveries import REPROCESS_AFTER, ProcessDelivery
from application.payments.money_to_return import ReconcileMoneyToReturn
from application.ports.clock import Clock
from application.ports.metrics import OperationsMetrics
from application.ports.unit_of_work import UnitOfWork
from domain.calendar import local_today

log = logging.getLogger("cabanas.maintenance")

IDEMPOTENCY_TTL = timedelta(hours=48)
# A note that a refund's key went to Mercado Pago (``PROVIDER_REFUNDS``) is kept longer than
# Mercado Pago takes a refund of a payment (180 days, not verified: a year for margin), so a key
# without one never went there: a retry is told apart from a first attempt (``IssueRefund``).
REFUND_NOTE_RETENTION = timedelta(days=365)
# Webhook deliveries outlive the providers' redelivery windows (a WhatsApp relay retries for up
# to 7 days: docs/specs §1.4): a delivery redelivered after 48 h is still known, never
# answered twice.
DELIVERY_RETENTION = timedelta(days=8)
# Sent messages are kept a month (delivery questions), then deleted with their phone numbers.
OUTBOX_RETENTION = timedelta(days=30)
EXPIRY_BATCH = 500
# A scheduled message's claim outlives every window it guards (at most MAX_DAYS_AHEAD days
# before a check-in, a few days after a check-out), then goes.
SCHEDULE_MEMORY = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class ExpireLapsedHolds:
    """Rules: a hold whose ``expires_at`` has passed is recorded as expired (its nights were
    already bookable — reads and inserts ignore lapsed holds — this makes it official, and
    counts it). Batches of 500 until none is left. Money an expired hold holds (part of its
    deposit) then waits in the owner's queue to go back: each batch's holds are brought in
    step after it is committed (one query; ``ReconcileMoneyToReturn``, which also catches the
    holds a booking expired on its own way, later)."""

    uow: UnitOfWork
    clock: Clock
    metrics: OperationsMetrics
    money_to_return: ReconcileMoneyToReturn

    async def __call__(self) -> int:
        total = 0
        while True:
            async with self.uow:
                expired = await self.uow.reservations.expire_lapsed(self.clock.now(), EXPIRY_BATCH)
                await self.uow.commit()
            total += len(expired)
            await self.money_to_return([r.code.value for r in expired])
            if len(expired) < EXPIRY_BATCH:
                break
        if total:
            self.metrics.holds_expired(total)
            log.info("holds_expired", extra={"count": total})
        return total


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    pii_days: int = 365


@dataclass(frozen=True, slots=True)
class AnonymizeOldGuests:
    """Rules (docs/privacy.md): a booking's guest name, phone, email and notes are kept while
    useful (the stay, questions after it, disputes) and erased ``pii_days`` after the stay
    ended (Argentine date); the code, dates, amounts and channel stay for the accounts.
    Batches of 500 until none is left. A number's opt-out (BAJA) goes too, once it is
    ``pii_days`` old and no booking keeps that number."""

    uow: UnitOfWork
    clock: Clock
    retention: RetentionPolicy

    async def __call__(self) -> int:
        now = self.clock.now()
        cutoff = local_today(now) - timedelta(days=self.retention.pii_days)
        total = 0
        while True:
            async with self.uow:
                done = await self.uow.reservations.anonymize_ended_before(cutoff, now, EXPIRY_BATCH)
                await self.uow.commit()
            total += done
            if done < EXPIRY_BATCH:
                break
        async with self.uow:
            forgotten = await self.uow.opt_outs.forget_unused(
                now - timedelta(self.retention.pii_days)
            )
            await self.uow.commit()
        if total:
            log.info("guest_data_anonymized", extra={"count": total})
        if forgotten:
            log.info("opt_outs_forgotten", extra={"count": forgotten})
        return total


@dataclass(frozen=True, slots=True)
class PurgeIdempotencyKeys:
    """Rules: API idempotency keys are kept 48 h (the checklist's TTL), then deleted (webhook
    deliveries after ``DELIVERY_RETENTION``, beyond the providers' redelivery windows; the
    notes of refund keys sent to Mercado Pago after ``REFUND_NOTE_RETENTION``);
    sent or failed outbox messages are deleted after 30 days, and so is a WhatsApp number's
    last-message time 30 days after it (the window needs one day); the record that a scheduled
    message was queued, after 90 days (its window closed long ago)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, ttl: timedelta = IDEMPOTENCY_TTL) -> int:
        now = self.clock.now()
        async with self.uow:
            purged = await self.uow.idempotency.purge(
                now - ttl,
                refund_notes_before=now - REFUND_NOTE_RETENTION,
                deliveries_before=now - max(ttl, DELIVERY_RETENTION),
            )
            purged += await self.uow.outbox.purge_finished(now - OUTBOX_RETENTION)
            purged += await self.uow.contacts.forget_before(now - OUTBOX_RETENTION)
            purged += await self.uow.schedule.forget_before(now - SCHEDULE_MEMORY)
            await self.uow.commit()
        return purged


@dataclass(frozen=True, slots=True)
class ReprocessDeliveries:
    """Deliveries the web process recorded but did not finish (it crashed, the provider was
    down) are processed again, one at a time."""

    uow: UnitOfWork
    clock: Clock
    process: ProcessDelivery

    async def __call__(self, limit: int = 50) -> bool:
        """True when every delivery it took up was processed (a failed one stays for the next
        pass, and makes ``cabanas sync --once`` exit non-zero)."""
        async with self.uow:
            now = self.clock.now()
            keys = await self.uow.idempotency.unprocessed(now - REPROCESS_AFTER, now, limit)
        failed = 0
        for scope, key in keys:
            try:
                ok = await self.process(scope, key)
            except Exception:  # one broken delivery must not stop the ones behind it
                log.exception("delivery_reprocess_crashed", extra={"scope": scope})
                ok = False
            failed += not ok
        if failed:
            log.warning("deliveries_still_failing", extra={"count": failed})
        return failed == 0


@dataclass(frozen=True, slots=True)
class MeasureOutbox:
    uow: UnitOfWork
    metrics: OperationsMetrics

    async def __call__(self) -> int:
        async with self.uow:
            pending = await self.uow.outbox.pending_count()
        self.metrics.outbox_pending(pending)
        return pending
