"""Send what the outbox holds: at most once per row, retried with backoff when it may help."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from application.errors import IntegrationError, TemplateRejected
from application.messaging import console_pages
from application.messaging.balance_reminders import (
    balance_due,
    balance_link_expiry,
    queue_balance_reminder,
)
from application.messaging.console_pages import with_link
from application.messaging.deposit_link import queue_deposit_link
from application.messaging.guest_pages import with_page, with_pages
from application.messaging.retry import Backoff
from application.messaging.texts import (
    EMAIL_ALERT_SUBJECT,
    admin_template_rejected,
    email_footer,
)
from application.messaging.undeliverable import record_if_undeliverable
from application.messaging.whatsapp_delivery import send_whatsapp
from application.ports.clock import Clock
from application.ports.ledger import DEFAULT_LEDGER_TERMS, LedgerTerms
from application.ports.mail import Mailer, OutgoingEmail
from application.ports.messaging import MessageSender
from application.ports.metrics import OperationsMetrics
from application.ports.outbox import (
    EmailMessage,
    OutboxItem,
    OwnerAlert,
    PaymentLinkJob,
    Topic,
    WhatsAppMessage,
)
from application.ports.payments import CheckoutRequest, PaymentGateway
from application.ports.tracing import current_trace
from application.ports.unit_of_work import UnitOfWork
from application.ports.whatsapp_templates import OWNER_ALERT
from domain.booking.reservation import Channel, Reservation, ReservationStatus
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.money import Money
from domain.payments.checkout import CheckoutPurpose, checkout_title

log = logging.getLogger("cabanas.outbox")

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 10
# 30 s, 1 min, 2 min, … capped at an hour: ~5 h of trying over MAX_ATTEMPTS.
OUTBOX_BACKOFF = Backoff(first=RETRY_BASE, cap=RETRY_MAX)


@dataclass(frozen=True, slots=True)
class OutboxSetup:
    admin_phone: str | None = None
    owner_email: str | None = None
    # PUBLIC_BASE_URL: the owner's alerts link to the console there.
    console_base_url: str = ""
    # PUBLIC_BASE_URL too: a guest's messages link to their reservation page there.
    guest_base_url: str = ""
    # BALANCE_DUE_DAYS: what the balance link asks for is the ledger's balance.
    ledger_terms: LedgerTerms = DEFAULT_LEDGER_TERMS


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
    - a payment link is only created for a reservation that is still a live hold;
    - WhatsApp messages go as free text inside the recipient's 24 h window and as their
      template outside it (``send_whatsapp``); owner alerts too (``aviso_dueno``);
    - a template WhatsApp refuses (unknown, wrong parameters, paused, disabled) fails the
      message at once and alerts the owner, once a day per template and error — never
      silently; an alert about an owner alert is not sent (it would fail the same way);
    - a notification that failed on every channel goes to the action queue
      (``record_if_undeliverable``).
    """

    uow: UnitOfWork
    sender: MessageSender
    gateway: PaymentGateway
    clock: Clock
    metrics: OperationsMetrics
    setup: OutboxSetup
    mailer: Mailer

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
            if isinstance(err, TemplateRejected):
                await self._template_rejected(item, err)
            await record_if_undeliverable(self.uow, item, self.clock.now())
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

    async def _template_rejected(self, item: OutboxItem, err: TemplateRejected) -> None:
        name = self._template_of(item)
        if name is None or name == OWNER_ALERT.name:
            return
        now = self.clock.now()
        await self.uow.outbox.put(
            OwnerAlert(admin_template_rejected(name, err.code or "?"), console_pages.TODAY),
            now,
            dedupe_key=f"alert:template:{name}:{err.code}:{local_today(now).isoformat()}",
        )

    def _template_of(self, item: OutboxItem) -> str | None:
        message = item.message
        if isinstance(message, WhatsAppMessage) and message.template is not None:
            return message.template.name
        if isinstance(message, OwnerAlert):
            return OWNER_ALERT.name
        return None

    async def _send(self, item: OutboxItem) -> str | None:
        message = item.message
        now = self.clock.now()
        if isinstance(message, WhatsAppMessage):
            if message.page:
                text = with_page(message.text, self.setup.guest_base_url, message.page)
                message = replace(message, text=text)
            elif message.pages:
                text = with_pages(message.text, self.setup.guest_base_url, message.pages)
                message = replace(message, text=text)
            return await send_whatsapp(message, self.uow.contacts, self.sender, now)
        if isinstance(message, PaymentLinkJob):
            if message.purpose == "extend":
                return await self._extend_link(ReservationCode(message.code))
            if message.purpose == CheckoutPurpose.BALANCE:
                return await self._balance_link(ReservationCode(message.code))
            return await self._payment_link(ReservationCode(message.code))
        if isinstance(message, EmailMessage):
            return await self._email(item, message)
        if isinstance(message, OwnerAlert):
            log.warning("admin_alert", extra={"alert": message.text})
            text = with_link(message.text, self.setup.console_base_url, message.link)
            await self._alert_by_email(item, text, now)
            if self.setup.admin_phone:
                to_owner = WhatsAppMessage(
                    self.setup.admin_phone,
                    text,
                    template=OWNER_ALERT.use(text),
                    topic=Topic.OWNER_ALERT,
                )
                return await send_whatsapp(to_owner, self.uow.contacts, self.sender, now)
            return None
        raise IntegrationError(
            item.unreadable or f"unknown outbox kind {item.kind!r}", retryable=False
        )

    async def _email(self, item: OutboxItem, message: EmailMessage) -> str | None:
        to = message.to or self.setup.owner_email
        if to is None:
            return None  # an owner e-mail queued before OWNER_EMAIL was unset
        text = message.text
        if message.to is not None and self.setup.admin_phone:
            text = f"{text}\n\n{email_footer(self.setup.admin_phone)}"
        email = OutgoingEmail(to, message.subject, text, key=f"cabanas.outbox-{item.id}")
        return await self.mailer.send(email)

    async def _alert_by_email(self, item: OutboxItem, text: str, now: datetime) -> None:
        """The owner's e-mail copy of an alert, queued once (by the alert's key) beside it."""
        if not self.setup.owner_email:
            return
        group = item.group or f"outbox:{item.id}"
        await self.uow.outbox.put(
            EmailMessage(None, EMAIL_ALERT_SUBJECT, text, Topic.OWNER_ALERT),
            now,
            dedupe_key=f"{group}:email"[:200],
            group=group,
        )

    async def _extend_link(self, code: ReservationCode) -> str | None:
        """The deposit checkout follows its hold's expiry: a new one (a hold the owner
        extended), or now (a hold cancelled: the link takes no more money)."""
        reservation = await self.uow.reservations.get(code)
        if reservation is None or reservation.payment_preference is None:
            return None
        if reservation.status is ReservationStatus.CANCELLED:
            await self.gateway.extend_checkout(reservation.payment_preference, self.clock.now())
            return reservation.payment_preference
        live = reservation.status is ReservationStatus.PRE_RESERVED
        if not live or reservation.expires_at is None:
            return None
        await self.gateway.extend_checkout(reservation.payment_preference, reservation.expires_at)
        return reservation.payment_preference

    async def _title(self, purpose: CheckoutPurpose, reservation: Reservation) -> str:
        """The checkout names the cabin and nights, not only the code: a guest with two holds
        sees which one they pay."""
        cabin = await self.uow.accommodations.get(reservation.accommodation_id)
        return checkout_title(
            purpose, cabin.name if cabin else "", reservation.stay, reservation.code.display
        )

    async def _balance_link(self, code: ReservationCode) -> str | None:
        """The balance's checkout (``CODE:balance``), sent to the guest with the reminder;
        nothing when the booking owes nothing any more."""
        reservation = await self.uow.reservations.get(code)
        if reservation is None:
            return None
        due = await balance_due(self.uow, reservation, self.setup.ledger_terms)
        if due is None:
            return None
        now = self.clock.now()
        link = await self.gateway.create_checkout(
            CheckoutRequest(
                code=code,
                title=await self._title(CheckoutPurpose.BALANCE, reservation),
                deposit=due.owed,
                expires_at=balance_link_expiry(reservation.stay.check_in),
                idempotency_key=f"checkout-balance-{code.value}-{due.owed.cents}",
                purpose=CheckoutPurpose.BALANCE,
            )
        )
        await queue_balance_reminder(self.uow, reservation, due, now, link.url)
        return link.preference_id

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
        # A credit from the guest's earlier cancellation pays part of the deposit.
        credit = sum(c.amount.cents for c in await self.uow.credits.applied_to(code.value))
        deposit = Money(max(0, reservation.deposit.cents - credit), reservation.deposit.currency)
        if not deposit.cents:
            return None
        link = await self.gateway.create_checkout(
            CheckoutRequest(
                code=code,
                title=await self._title(CheckoutPurpose.DEPOSIT, reservation),
                deposit=deposit,
                expires_at=reservation.expires_at,
                idempotency_key=f"checkout-{code.value}",
            )
        )
        await self.uow.reservations.set_payment_link(code, link.preference_id, link.url)
        # A guest booking on WhatsApp gets the link there, right after it exists.
        await queue_deposit_link(
            self.uow.outbox,
            reservation,
            link.url,
            now,
            key=f"paylink:{code.value}",
            whatsapp=reservation.channel is Channel.WHATSAPP,
        )
        return link.preference_id
