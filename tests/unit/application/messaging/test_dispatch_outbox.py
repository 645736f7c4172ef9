"""DispatchOutbox over in-memory fakes: what goes out and how (free text or template, WhatsApp
or e-mail), what comes back later (the one backoff rule) and what ends in the owner's action
queue with an alert."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from application.errors import IntegrationError, OutsideServiceWindow, TemplateRejected
from application.messaging.console_pages import with_link
from application.messaging.dispatch_outbox import (
    MAX_ATTEMPTS,
    OUTBOX_BACKOFF,
    DispatchOutbox,
    OutboxSetup,
)
from application.messaging.retry import Backoff
from application.messaging.texts import EMAIL_ALERT_SUBJECT
from application.ports.messaging import OutboundMessage, OutboundTemplate
from application.ports.outbox import (
    EmailMessage,
    OutboxKind,
    OutboxMessage,
    OwnerAlert,
    Topic,
    WhatsAppMessage,
)
from application.ports.undeliverable import GUEST
from application.ports.whatsapp_templates import BOOKING_CONFIRMED, OWNER_ALERT
from domain.messaging.service_window import whatsapp_id
from tests.unit.application.fakes import (
    FakeGateway,
    FakeMailer,
    FakeSender,
    FakeUnitOfWork,
    FixedClock,
    RecordingMetrics,
)
from tests.unit.domain.builders import NOW, cabin

GUEST_PHONE = "+5492944111111"
OWNER_PHONE = "+5492944999999"
OWNER_EMAIL = "owner@cabanas.example"
CODE = "7K3M9QXD2F10"
TEMPLATE = BOOKING_CONFIRMED.use("Juana", "7K3M-9QXD-2F10", "Lago", "18/12", "21/12", "$ 1")
CONFIRMED = WhatsAppMessage(
    GUEST_PHONE,
    "¡Tu reserva está confirmada!",
    template=TEMPLATE,
    topic=Topic.BOOKING_CONFIRMED,
    reservation=CODE,
)


SETUP = OutboxSetup(OWNER_PHONE, OWNER_EMAIL)


class Outbox:
    def __init__(self, setup: OutboxSetup = SETUP) -> None:
        self.uow = FakeUnitOfWork([cabin()])
        self.clock = FixedClock(NOW)
        self.sender = FakeSender()
        self.mailer = FakeMailer()
        self.metrics = RecordingMetrics()
        self.dispatch = DispatchOutbox(
            self.uow, self.sender, FakeGateway(), self.clock, self.metrics, setup, self.mailer
        )

    async def queue(self, message: OutboxMessage, *, group: str | None = None) -> int:
        async with self.uow:
            row_id = await self.uow.outbox.put(message, self.clock.now(), group=group)
            await self.uow.commit()
        assert row_id is not None
        return row_id

    async def wrote_to_us(self, phone: str, ago: timedelta) -> None:
        await self.uow.contacts.note_inbound(whatsapp_id(phone), self.clock.now() - ago)

    def state(self, row_id: int) -> tuple[str, int, str | None]:
        s = self.uow.outbox.states[row_id]
        return s.status, s.attempts, s.error

    def next_attempt(self, row_id: int) -> timedelta:
        return self.uow.outbox.states[row_id].next_attempt_at - NOW


# --- sent -----------------------------------------------------------------------------------


async def test_a_message_sent_is_marked_sent_with_the_providers_id() -> None:
    box = Outbox()
    await box.wrote_to_us(GUEST_PHONE, timedelta(hours=1))
    row = await box.queue(CONFIRMED)
    report = await box.dispatch()
    assert (report.sent, report.retried, report.failed, report.ids) == (1, 0, 0, [row])
    assert box.state(row) == ("sent", 1, None)
    assert box.uow.outbox.states[row].provider_message_id == "wamid.1"
    assert box.metrics.outbox == [(OutboxKind.WHATSAPP_MESSAGE, "sent")]
    assert (await box.dispatch()).ids == []  # sent once, never again


async def test_inside_the_24_h_window_the_free_text_goes() -> None:
    box = Outbox()
    await box.wrote_to_us(GUEST_PHONE, timedelta(hours=23))
    await box.queue(CONFIRMED)
    await box.dispatch()
    assert box.sender.sent == [OutboundMessage(GUEST_PHONE, CONFIRMED.text)]
    assert box.sender.templates == []


async def test_a_message_about_a_booking_links_to_the_guests_page() -> None:
    """Review L1: WhatsApp never gave the guest their /r/{code} page."""
    box = Outbox(OutboxSetup(OWNER_PHONE, guest_base_url="https://cabanas.example/"))
    await box.wrote_to_us(GUEST_PHONE, timedelta(hours=1))
    await box.queue(replace(CONFIRMED, page=f"/r/{CODE}"))
    await box.dispatch()
    text = (
        f"{CONFIRMED.text}\n\nTu reserva, con todos los detalles: https://cabanas.example/r/{CODE}"
    )
    assert box.sender.sent == [OutboundMessage(GUEST_PHONE, text)]
    # Outside the window the approved template goes as approved: no link.
    late = Outbox(OutboxSetup(OWNER_PHONE, guest_base_url="https://cabanas.example"))
    await late.queue(replace(CONFIRMED, page=f"/r/{CODE}"))
    await late.dispatch()
    assert late.sender.templates == [OutboundTemplate(GUEST_PHONE, TEMPLATE)]


async def test_a_message_about_several_bookings_links_to_each_page() -> None:
    """ "mi reserva" with several bookings: each one's /r/{code}, in the order listed."""
    box = Outbox(OutboxSetup(OWNER_PHONE, guest_base_url="https://cabanas.example"))
    await box.wrote_to_us(GUEST_PHONE, timedelta(hours=1))
    listing = WhatsAppMessage(
        GUEST_PHONE, "Tenés 2 reservas…", pages=(f"/r/{CODE}", "/r/ABCDEFGHJKMN")
    )
    await box.queue(listing)
    await box.dispatch()
    text = (
        "Tenés 2 reservas…\n\nCada una, con todos los detalles:\n"
        f"• 7K3M-9QXD-2F10: https://cabanas.example/r/{CODE}\n"
        "• ABCD-EFGH-JKMN: https://cabanas.example/r/ABCDEFGHJKMN"
    )
    assert box.sender.sent == [OutboundMessage(GUEST_PHONE, text)]
    # Without PUBLIC_BASE_URL there is nothing to link to: the text goes alone.
    bare = Outbox()
    await bare.wrote_to_us(GUEST_PHONE, timedelta(hours=1))
    await bare.queue(listing)
    await bare.dispatch()
    assert bare.sender.sent == [OutboundMessage(GUEST_PHONE, "Tenés 2 reservas…")]


async def test_outside_the_window_its_template_goes_instead() -> None:
    for last_wrote in (None, timedelta(hours=25), timedelta(hours=23, minutes=55)):
        box = Outbox()  # 23 h 55 min ago is inside the safety margin: closed
        if last_wrote is not None:
            await box.wrote_to_us(GUEST_PHONE, last_wrote)
        await box.queue(CONFIRMED)
        await box.dispatch()
        assert box.sender.sent == [], last_wrote
        assert box.sender.templates == [OutboundTemplate(GUEST_PHONE, TEMPLATE)], last_wrote


async def test_whatsapp_seeing_the_window_closed_gets_the_template_at_once() -> None:
    box = Outbox()
    await box.wrote_to_us(GUEST_PHONE, timedelta(hours=1))

    async def refuse_text(message: OutboundMessage) -> str:
        raise OutsideServiceWindow("re-engagement message", code="131047")

    box.sender.send = refuse_text  # type: ignore[method-assign]
    row = await box.queue(CONFIRMED)
    await box.dispatch()
    assert box.sender.templates == [OutboundTemplate(GUEST_PHONE, TEMPLATE)]
    assert box.state(row)[0] == "sent"


# --- retried --------------------------------------------------------------------------------


async def test_a_transient_failure_comes_back_after_the_backoff_and_then_goes() -> None:
    box = Outbox()
    row = await box.queue(CONFIRMED)
    box.sender.failure = IntegrationError("WhatsApp 503", retryable=True)
    report = await box.dispatch()
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    assert box.state(row) == ("pending", 1, "WhatsApp 503")
    assert box.next_attempt(row) == timedelta(seconds=30)
    assert (await box.dispatch()).ids == []  # not due yet

    box.clock.current = NOW + timedelta(seconds=30)
    await box.dispatch()
    assert box.next_attempt(row) == timedelta(seconds=30 + 60)  # doubled

    box.sender.failure = None
    box.clock.current = NOW + timedelta(seconds=90)
    assert (await box.dispatch()).sent == 1
    assert box.state(row) == ("sent", 3, None)
    assert box.metrics.outbox == [(OutboxKind.WHATSAPP_MESSAGE, "retry")] * 2 + [
        (OutboxKind.WHATSAPP_MESSAGE, "sent")
    ]


async def test_the_waits_are_the_one_backoff_rule_and_give_up_after_max_attempts() -> None:
    box = Outbox()
    row = await box.queue(CONFIRMED)
    box.sender.failure = IntegrationError("timeout", retryable=True)
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        before = box.uow.outbox.states[row].next_attempt_at
        box.clock.current = before
        assert (await box.dispatch()).retried == 1
        waits.append(box.uow.outbox.states[row].next_attempt_at - before)
    assert isinstance(OUTBOX_BACKOFF, Backoff)
    assert waits == OUTBOX_BACKOFF.schedule(MAX_ATTEMPTS - 1)
    assert waits[-1] == timedelta(hours=1)  # capped
    box.clock.current = box.uow.outbox.states[row].next_attempt_at
    report = await box.dispatch(limit=1)
    assert (report.retried, report.failed) == (0, 1)
    assert box.state(row) == ("failed", MAX_ATTEMPTS, "timeout")


async def test_a_crash_while_sending_is_retried_and_does_not_hold_up_the_rest() -> None:
    box = Outbox()
    row = await box.queue(CONFIRMED)
    later = await box.queue(EmailMessage("juana@example.com", "Hola", "Hola", Topic.PRE_ARRIVAL))

    async def crash(message: OutboundTemplate) -> str:
        raise KeyError("bug")

    box.sender.send_template = crash  # type: ignore[method-assign]
    report = await box.dispatch()
    assert (report.sent, report.retried, report.ids) == (1, 1, [row, later])
    assert box.state(row) == ("pending", 1, "KeyError")
    assert box.next_attempt(row) == OUTBOX_BACKOFF.after(1)
    assert box.state(later)[0] == "sent"


# --- failed for good ------------------------------------------------------------------------


async def test_a_permanent_failure_is_recorded_undeliverable_and_the_owner_is_alerted() -> None:
    box = Outbox()
    row = await box.queue(CONFIRMED)
    box.sender.failure = IntegrationError("not a WhatsApp number", retryable=False)
    report = await box.dispatch(limit=1)
    assert (report.retried, report.failed) == (0, 1)
    assert box.state(row) == ("failed", 1, "not a WhatsApp number")
    [record] = box.uow.undeliverable.items.values()
    assert (record.topic, record.recipient, record.reservation) == (
        Topic.BOOKING_CONFIRMED,
        GUEST,
        CODE,
    )
    assert record.errors == f"{OutboxKind.WHATSAPP_MESSAGE}: failed"  # no PII, no details
    [alert] = box.uow.outbox.sent(OwnerAlert)
    assert "7K3M-9QXD-2F10" in alert.text
    assert box.metrics.outbox == [(OutboxKind.WHATSAPP_MESSAGE, "failed")]


async def test_the_owner_alert_goes_to_the_owners_whatsapp_and_e_mail() -> None:
    box = Outbox()
    await box.queue(OwnerAlert("⚠️ Revisá el pago", "/panel/hoy"))
    await box.dispatch()  # the alert, and its e-mail copy queued beside it
    [template] = box.sender.templates  # the owner has not written: the template
    assert template.to == OWNER_PHONE
    assert template.template == OWNER_ALERT.use(with_link("⚠️ Revisá el pago", "", "/panel/hoy"))
    [email] = box.mailer.sent
    assert (email.to, email.subject) == (OWNER_EMAIL, EMAIL_ALERT_SUBJECT)
    assert "Revisá el pago" in email.text


async def confirmed_by_whatsapp_and_e_mail() -> Outbox:
    """One notification over two channels: its rows share a group."""
    box = Outbox()
    group = f"confirmed:{CODE}"
    await box.queue(CONFIRMED, group=group)
    email = EmailMessage("juana@example.com", "Confirmada", "Hola", Topic.BOOKING_CONFIRMED, CODE)
    await box.queue(email, group=group)
    return box


async def test_a_notification_another_channel_delivered_is_not_undeliverable() -> None:
    box = await confirmed_by_whatsapp_and_e_mail()
    box.sender.failure = IntegrationError("not a WhatsApp number", retryable=False)
    report = await box.dispatch()
    assert (report.sent, report.failed) == (1, 1)
    assert box.uow.undeliverable.items == {}
    assert box.uow.outbox.sent(OwnerAlert) == []


async def test_a_notification_every_channel_failed_is_recorded_once() -> None:
    box = await confirmed_by_whatsapp_and_e_mail()
    box.sender.failure = IntegrationError("not a WhatsApp number", retryable=False)
    box.mailer.failure = IntegrationError("mailbox does not exist", retryable=False)
    await box.dispatch(limit=2)
    [record] = box.uow.undeliverable.items.values()
    assert record.errors.splitlines() == ["not a WhatsApp number", "mailbox does not exist"]
    assert len(box.uow.outbox.sent(OwnerAlert)) == 1


async def test_a_rejected_template_alerts_the_owner_once_a_day() -> None:
    box = Outbox()
    box.sender.template_failure = TemplateRejected("template paused", code="132015")
    first = await box.queue(CONFIRMED)
    second = await box.queue(CONFIRMED)
    await box.dispatch(limit=2)
    assert box.state(first)[0] == box.state(second)[0] == "failed"
    alerts = [a.text for a in box.uow.outbox.sent(OwnerAlert)]
    about_template = [t for t in alerts if BOOKING_CONFIRMED.name in t]
    assert len(about_template) == 1
    assert "132015" in about_template[0]


async def test_an_owner_alert_template_rejected_raises_no_alert_about_itself() -> None:
    box = Outbox(OutboxSetup(OWNER_PHONE))
    box.sender.template_failure = TemplateRejected("template paused", code="132015")
    row = await box.queue(OwnerAlert("⚠️ algo"))
    await box.dispatch()
    assert box.state(row)[0] == "failed"
    assert box.uow.outbox.sent(OwnerAlert) == [OwnerAlert("⚠️ algo")]


# --- e-mail ---------------------------------------------------------------------------------


async def test_a_guests_e_mail_goes_with_the_whatsapp_footer_and_an_idempotency_key() -> None:
    box = Outbox()
    row = await box.queue(
        EmailMessage("juana@example.com", "Tu reserva", "Hola", Topic.PRE_ARRIVAL)
    )
    await box.dispatch()
    [email] = box.mailer.sent
    assert (email.to, email.subject) == ("juana@example.com", "Tu reserva")
    assert email.text.startswith("Hola\n\n")
    assert "https://wa.me/5492944999999" in email.text
    assert email.key == f"cabanas.outbox-{row}"
    assert box.state(row) == ("sent", 1, None)
    assert box.uow.outbox.states[row].provider_message_id == "<1@test>"


async def test_an_owner_e_mail_goes_to_owner_email_without_the_footer() -> None:
    box = Outbox()
    await box.queue(EmailMessage(None, "Resumen", "Todo en orden", Topic.OWNER_DAILY_SUMMARY))
    await box.dispatch()
    [email] = box.mailer.sent
    assert (email.to, email.text) == (OWNER_EMAIL, "Todo en orden")


async def test_an_owner_e_mail_without_owner_email_is_dropped_not_retried() -> None:
    box = Outbox(OutboxSetup(OWNER_PHONE))
    row = await box.queue(EmailMessage(None, "Resumen", "Todo en orden", Topic.OWNER_DAILY_SUMMARY))
    report = await box.dispatch()
    assert box.mailer.sent == []
    assert (report.sent, box.state(row)) == (1, ("sent", 1, None))


async def test_an_e_mail_failing_transiently_is_retried_like_any_message() -> None:
    box = Outbox()
    row = await box.queue(
        EmailMessage("juana@example.com", "Tu reserva", "Hola", Topic.PRE_ARRIVAL)
    )
    box.mailer.failure = IntegrationError("SMTP 451", retryable=True)
    await box.dispatch()
    assert box.state(row) == ("pending", 1, "SMTP 451")
    assert box.next_attempt(row) == OUTBOX_BACKOFF.after(1)
    assert box.metrics.outbox == [(OutboxKind.EMAIL_MESSAGE, "retry")]
