"""DispatchOutbox over in-memory fakes: each row sent once, retried with backoff when that may
help, failed when not; payment links only for live holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from application.errors import IntegrationError
from application.messaging.dispatch_outbox import (
    MAX_ATTEMPTS,
    OUTBOX_BACKOFF,
    DispatchOutbox,
    OutboxSetup,
)
from application.ports.outbox import OutboxKind
from domain.booking.reservation import Channel
from tests.unit.application.fakes import FakeGateway, FakeSender, FakeUnitOfWork, FixedClock
from tests.unit.domain.builders import NOW, cabin, hold

ADMIN = "+5492944000000"


class Outbox:
    def __init__(self, *, admin_phone: str | None = None) -> None:
        self.uow = FakeUnitOfWork([cabin()])
        self.clock = FixedClock(NOW)
        self.sender = FakeSender()
        self.gateway = FakeGateway()
        self.dispatch = DispatchOutbox(
            self.uow,
            self.sender,
            self.gateway,
            self.clock,
            self.uow.metrics,
            OutboxSetup(admin_phone=admin_phone),
        )

    async def queue(self, kind: str, payload: dict[str, object], key: str | None = None) -> None:
        async with self.uow:
            await self.uow.outbox.add(kind, payload, self.clock.now(), dedupe_key=key)
            await self.uow.commit()

    def texts(self) -> list[tuple[str, str]]:
        return [(m.to, m.text) for m in self.sender.sent]


async def test_each_message_is_sent_once() -> None:
    out = Outbox()
    await out.queue(OutboxKind.WHATSAPP_MESSAGE, {"to": "+5491155551234", "text": "¡Hola!"})
    first = await out.dispatch()
    again = await out.dispatch()
    assert (first.sent, again.sent) == (1, 0)
    assert out.texts() == [("+5491155551234", "¡Hola!")]
    assert out.uow.outbox.states[1].provider_message_id == "wamid.1"
    assert out.uow.metrics.outbox == [(OutboxKind.WHATSAPP_MESSAGE, "sent")]


async def test_a_retryable_failure_comes_back_after_the_backoff() -> None:
    out = Outbox()
    await out.queue(OutboxKind.WHATSAPP_MESSAGE, {"to": "+5491155551234", "text": "¡Hola!"})
    out.sender.failure = IntegrationError("WhatsApp answered 503", retryable=True)
    report = await out.dispatch()
    assert (report.sent, report.retried) == (0, 1)
    out.sender.failure = None
    out.clock.current = NOW + OUTBOX_BACKOFF.after(1) - timedelta(seconds=1)
    assert (await out.dispatch()).sent == 0  # not due yet
    out.clock.current = NOW + OUTBOX_BACKOFF.after(1)
    assert (await out.dispatch()).sent == 1
    assert out.uow.outbox.states[1].attempts == 2


async def test_a_permanent_failure_fails_at_once_and_retries_run_out() -> None:
    out = Outbox()
    await out.queue(OutboxKind.WHATSAPP_MESSAGE, {"to": "+5491100000000", "text": "a"})
    out.sender.failure = IntegrationError("not a WhatsApp number", retryable=False)
    assert (await out.dispatch()).failed == 1
    assert out.uow.outbox.states[1].status == "failed"

    await out.queue(OutboxKind.WHATSAPP_MESSAGE, {"to": "+5491155551234", "text": "b"})
    out.sender.failure = IntegrationError("timeout", retryable=True)
    for _ in range(MAX_ATTEMPTS):
        out.clock.current += timedelta(days=1)
        await out.dispatch()
    assert (out.uow.outbox.states[2].status, out.uow.outbox.states[2].attempts) == (
        "failed",
        MAX_ATTEMPTS,
    )
    assert await out.uow.outbox.pending_count() == 0


async def test_a_payment_link_is_made_for_a_live_hold_and_sent_to_a_whatsapp_guest() -> None:
    out = Outbox()
    guest_hold = replace(hold("7K3M9QXD2F10"), channel=Channel.WHATSAPP)
    out.uow.reservations.committed[guest_hold.code.value] = guest_hold
    await out.queue(OutboxKind.PAYMENT_LINK, {"code": guest_hold.code.value}, "checkout:1")
    await out.dispatch()
    stored = await out.uow.reservations.get(guest_hold.code)
    assert stored is not None
    assert stored.payment_url == "https://pay.example/7K3M9QXD2F10"
    [(to, text)] = out.texts()  # the link message was queued and sent in the same pass
    assert to == guest_hold.guest.phone
    assert "https://pay.example/7K3M9QXD2F10" in text


async def test_no_payment_link_for_a_hold_that_ran_out() -> None:
    out = Outbox()
    lapsed = hold("7K3M9QXD2F10", expires_at=NOW - timedelta(minutes=1))
    out.uow.reservations.committed[lapsed.code.value] = lapsed
    await out.queue(OutboxKind.PAYMENT_LINK, {"code": lapsed.code.value})
    report = await out.dispatch()
    assert report.sent == 1  # done: nothing left to pay for
    stored = await out.uow.reservations.get(lapsed.code)
    assert stored is not None
    assert stored.payment_url is None


async def test_admin_alerts_go_to_the_owner_when_a_number_is_set() -> None:
    quiet, told = Outbox(), Outbox(admin_phone=ADMIN)
    for out in (quiet, told):
        await out.queue(OutboxKind.ADMIN_ALERT, {"text": "Pago a revisar"})
        assert (await out.dispatch()).sent == 1
    assert quiet.texts() == []
    assert told.texts() == [(ADMIN, "Pago a revisar")]


async def test_dispatching_one_key_sends_that_row_only() -> None:
    out = Outbox()
    await out.queue(OutboxKind.WHATSAPP_MESSAGE, {"to": "+5491155551234", "text": "a"}, "k-a")
    await out.queue(OutboxKind.WHATSAPP_MESSAGE, {"to": "+5491155551234", "text": "b"}, "k-b")
    await out.dispatch(dedupe_key="k-b")
    assert [text for _, text in out.texts()] == ["b"]
