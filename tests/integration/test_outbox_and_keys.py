"""The outbox and idempotency keys on the real PostgreSQL: the locking that makes "at most once
per row" and "one reservation per key" true under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.postgres.unit_of_work import SqlUnitOfWork
from application.errors import IntegrationError
from application.messaging.dispatch_outbox import OUTBOX_BACKOFF, DispatchOutbox, OutboxSetup
from application.operations.maintenance import PurgeIdempotencyKeys
from application.ports.idempotency import PROVIDER_REFUNDS
from application.ports.messaging import OutboundMessage
from application.ports.outbox import EmailMessage, OwnerAlert, WhatsAppMessage
from application.ports.tracing import current_trace
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class SlowSender:
    """Counts every send; slow enough that two workers overlap."""

    def __init__(self, fail_first: int = 0, permanent: bool = False) -> None:
        self.sent: list[str] = []
        self.traces: list[str | None] = []
        self.fail_first = fail_first
        self.permanent = permanent

    async def send(self, message: OutboundMessage) -> str:
        await asyncio.sleep(0.01)
        if self.fail_first:
            self.fail_first -= 1
            raise IntegrationError("throttled", retryable=not self.permanent, code="130429")
        self.sent.append(message.text)
        self.traces.append(current_trace.get())
        return f"wamid.{len(self.sent)}"


class NoMetrics:
    def __getattr__(self, name: str) -> object:
        return lambda *a, **k: None


async def _enqueue(engine: AsyncEngine, count: int) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        for i in range(count):
            await uow.outbox.put(WhatsAppMessage("+5491155551234", f"m{i}"), NOW)
        await uow.commit()


async def _worker(engine: AsyncEngine, sender: SlowSender, clock: FixedClock) -> int:
    async with engine.connect() as conn:
        dispatch = DispatchOutbox(
            SqlUnitOfWork(conn, SystemClock()),
            sender,
            None,
            clock,
            NoMetrics(),
            OutboxSetup(),  # type: ignore[arg-type]
            None,
        )
        return (await dispatch()).sent


async def test_two_workers_send_every_row_exactly_once(engine: AsyncEngine) -> None:
    await _enqueue(engine, 30)
    sender = SlowSender()
    clock = FixedClock(NOW)
    counts = await asyncio.gather(_worker(engine, sender, clock), _worker(engine, sender, clock))
    assert sorted(sender.sent) == sorted(f"m{i}" for i in range(30))
    assert sum(counts) == 30
    assert all(c > 0 for c in counts), "both workers should have taken part"


async def test_a_retryable_failure_backs_off_and_a_permanent_one_gives_up(
    engine: AsyncEngine,
) -> None:
    await _enqueue(engine, 1)
    clock = FixedClock(NOW)
    sender = SlowSender(fail_first=1)
    assert await _worker(engine, sender, clock) == 0
    assert await _worker(engine, sender, clock) == 0  # not due yet
    clock.current += OUTBOX_BACKOFF.after(1)
    assert await _worker(engine, sender, clock) == 1
    await _enqueue(engine, 1)
    doomed = SlowSender(fail_first=1, permanent=True)
    # What goes out is the owner's alert that the message reached nobody (logged only: no
    # owner number here) ...
    assert await _worker(engine, doomed, clock) == 1
    clock.current += timedelta(days=1)
    assert await _worker(engine, doomed, clock) == 0  # ... failed rows are never retried
    assert doomed.sent == []


async def test_a_second_claim_of_a_key_waits_for_the_first_and_sees_its_result(
    engine: AsyncEngine,
) -> None:
    first_conn = await engine.connect()
    try:
        first = SqlUnitOfWork(first_conn, SystemClock())
        assert await first.idempotency.claim("api", "key-1", NOW, fingerprint="f") is None
        await first.idempotency.attach_reservation("api", "key-1", "AAAABBBBCCCC")

        async def second() -> object:
            async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
                return await uow.idempotency.claim("api", "key-1", NOW, fingerprint="f")

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not waiting.done(), "the second claim must wait for the first transaction"
        await first.commit()
        stored = await asyncio.wait_for(waiting, 5)
    finally:
        await first_conn.close()
    assert stored is not None
    assert stored.reservation_code == "AAAABBBBCCCC"  # type: ignore[attr-defined]


async def test_a_rolled_back_claim_leaves_the_key_free(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.idempotency.claim("api", "key-2", NOW) is None
        await uow.rollback()
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.idempotency.claim("api", "key-2", NOW) is None


async def test_keys_older_than_the_ttl_are_purged(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        await uow.idempotency.claim("api", "old", NOW - timedelta(hours=49))
        await uow.idempotency.claim("mercadopago", "new", NOW - timedelta(hours=47), payload={})
        assert await uow.idempotency.purge(NOW - timedelta(hours=48)) == 1
        await uow.commit()
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.idempotency.claim("api", "old", NOW) is None
        assert await uow.idempotency.claim("mercadopago", "new", NOW) is not None


async def test_webhook_deliveries_outlive_the_redelivery_window(engine: AsyncEngine) -> None:
    """A WhatsApp relay redelivers for up to 7 days: a message seen 3 days ago and sent
    again is still known (never answered twice); API keys go after 48 h."""
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        await uow.idempotency.claim("api", "api-3d", NOW - timedelta(days=3))
        await uow.idempotency.claim("whatsapp", "wamid.3d", NOW - timedelta(days=3), payload={})
        await uow.idempotency.claim("mercadopago", "mp-9d", NOW - timedelta(days=9), payload={})
        await uow.commit()
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await PurgeIdempotencyKeys(uow, FixedClock(NOW))() >= 2
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.idempotency.stored("api", "api-3d") is None
        assert await uow.idempotency.stored("mercadopago", "mp-9d") is None
        assert await uow.idempotency.stored("whatsapp", "wamid.3d") is not None


async def test_notes_of_refund_keys_outlive_other_keys(engine: AsyncEngine) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        await uow.idempotency.claim("api", "old-api", NOW - timedelta(hours=49))
        await uow.idempotency.claim(PROVIDER_REFUNDS, "old-note", NOW - timedelta(hours=49))
        await uow.idempotency.claim(PROVIDER_REFUNDS, "older", NOW - timedelta(days=366))
        purged = await uow.idempotency.purge(
            NOW - timedelta(hours=48), refund_notes_before=NOW - timedelta(days=365)
        )
        assert purged == 2
        await uow.commit()
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        assert await uow.idempotency.stored("api", "old-api") is None
        assert await uow.idempotency.stored(PROVIDER_REFUNDS, "older") is None
        assert await uow.idempotency.stored(PROVIDER_REFUNDS, "old-note") is not None


async def test_rows_carry_the_trace_of_their_request_into_the_worker(engine: AsyncEngine) -> None:
    token = current_trace.set("req-4bf92f3577b34da6")
    try:
        await _enqueue(engine, 1)  # written while handling that request
    finally:
        current_trace.reset(token)
    sender = SlowSender()
    assert await _worker(engine, sender, FixedClock(NOW)) == 1
    assert sender.traces == ["req-4bf92f3577b34da6"]
    assert current_trace.get() is None  # restored after the row


async def test_a_notification_is_undelivered_when_no_row_of_it_got_through(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn, SqlUnitOfWork(conn, SystemClock()) as uow:
        alert = await uow.outbox.put(OwnerAlert("x"), NOW, dedupe_key="alert:1")
        mail = await uow.outbox.put(
            EmailMessage(None, "s", "x", "owner_alert"),
            NOW,
            dedupe_key="alert:1:email",
            group="alert:1",
        )
        assert alert is not None
        assert mail is not None
        await uow.outbox.mark_sent(alert, NOW, None)  # no owner number: nothing went out
        assert not (await uow.outbox.group_outcome("alert:1")).all_failed  # e-mail pending
        await uow.outbox.mark_failed(mail, "SMTP error 550: no such user")
        outcome = await uow.outbox.group_outcome("alert:1")
        assert outcome.all_failed
        assert "email.message: SMTP error 550: no such user" in outcome.errors
        guest = await uow.outbox.put(WhatsAppMessage("+54911", "x"), NOW, dedupe_key="c:1")
        mail = await uow.outbox.put(
            EmailMessage("a@b.ar", "s", "x", "booking_confirmed"),
            NOW,
            dedupe_key="c:1:e",
            group="c:1",
        )
        assert guest is not None
        assert mail is not None
        await uow.outbox.mark_sent(guest, NOW, "wamid.1")
        await uow.outbox.mark_failed(mail, "SMTP error 550")
        assert not (await uow.outbox.group_outcome("c:1")).all_failed
