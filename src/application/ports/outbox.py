"""The transactional outbox: side effects written in the transaction of the change they
follow, sent afterwards by ``application.messaging.dispatch_outbox.DispatchOutbox``.

Each kind of row is a typed message below; the adapter serialises it to the row's JSON
payload and reads it back (``adapters.postgres.outbox_codec``), so no code outside it touches
payload keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from application.ports.messaging import ReplyButton, TemplateUse


class OutboxKind:
    WHATSAPP_MESSAGE = "whatsapp.message"
    PAYMENT_LINK = "mercadopago.checkout"
    ADMIN_ALERT = "admin.alert"
    EMAIL_MESSAGE = "email.message"


OUTBOX_KINDS: tuple[str, ...] = tuple(
    value for name, value in vars(OutboxKind).items() if name.isupper()
)
"""Every kind above (the metrics adapter starts each kind's counters at 0)."""


class Topic:
    """What a message is about: names its template, and tells the owner what did not arrive.
    Conversation replies are ``REPLY`` (inside the 24 h window: the guest has just written)."""

    REPLY = "reply"
    BOOKING_CONFIRMED = "booking_confirmed"
    DEPOSIT_LINK = "deposit_link"
    BALANCE_REMINDER = "balance_reminder"
    PRE_ARRIVAL = "pre_arrival"
    CHECK_OUT_REMINDER = "check_out_reminder"
    THANK_YOU = "thank_you"
    OWNER_ALERT = "owner_alert"
    OWNER_DAILY_SUMMARY = "owner_daily_summary"


@dataclass(frozen=True, slots=True)
class WhatsAppMessage:
    """Free text (with reply buttons) to one number; outside the number's 24 h customer-service
    window its ``template`` goes instead. Without a template the text is tried anyway (and
    WhatsApp refuses it outside the window)."""

    to: str
    text: str
    buttons: tuple[ReplyButton, ...] = ()
    template: TemplateUse | None = None
    topic: str = Topic.REPLY
    reservation: str | None = None  # the code it is about, if any
    # The guest's page it links to (``application.messaging.guest_pages``), made absolute and
    # added to the free text when it is sent.
    page: str | None = None
    # Or, about several bookings ("mi reserva" listing them), each one's page, in order.
    pages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EmailMessage:
    """A plain-text e-mail in Spanish (the adapter adds the HTML part). ``to`` None: the
    owner's address (``OWNER_EMAIL``), resolved when it is sent."""

    to: str | None
    subject: str
    text: str
    topic: str
    reservation: str | None = None


@dataclass(frozen=True, slots=True)
class OwnerAlert:
    """Something the owner must look at: logged, sent to the owner's WhatsApp (as the
    owner-alert template outside the window) and, with ``OWNER_EMAIL``, by e-mail. ``link``:
    the console path of the alert's subject (``application.messaging.console_pages``), made
    absolute when it is sent."""

    text: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentLinkJob:
    """A Mercado Pago checkout job for a booking: ``deposit`` creates the hold's checkout (and
    tells a WhatsApp guest); ``balance`` creates the balance's and sends the guest the balance
    reminder with it; ``extend`` moves the deposit checkout's expiry to the hold's."""

    code: str
    purpose: str = "deposit"


OutboxMessage = WhatsAppMessage | EmailMessage | OwnerAlert | PaymentLinkJob


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    kind: str
    message: OutboxMessage | None  # None: a row this release cannot read (see ``unreadable``)
    attempts: int
    trace_id: str | None
    unreadable: str | None = None
    # The rows that carry one notification over several channels share it (see ``put``).
    group: str | None = None


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """The rows of one notification: whether none delivered it (each failed, or had no
    channel to go through), and the errors."""

    all_failed: bool
    errors: tuple[str, ...] = ()


class Outbox(Protocol):
    """Side effects that follow a state change, written in the change's transaction."""

    async def put(
        self,
        message: OutboxMessage,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        group: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        """The new row's id; None when ``dedupe_key`` was already used (nothing added).
        ``group`` (default: the dedupe key) ties the channels of one notification together."""
        ...

    async def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        """Legacy untyped writer, kept only for ``place_hold``'s payment-link job until that
        module moves to ``put(PaymentLinkJob(...))``; the payload must be what the codec
        writes for ``kind``."""
        ...

    async def claim_due(self, now: datetime, *, dedupe_key: str | None = None) -> OutboxItem | None:
        """Lock one due pending row for this transaction (rows locked by others are skipped,
        so two workers never send the same row)."""
        ...

    async def mark_sent(
        self, item_id: int, now: datetime, provider_message_id: str | None
    ) -> None: ...

    async def retry_later(self, item_id: int, error: str, next_attempt_at: datetime) -> None: ...

    async def mark_failed(self, item_id: int, error: str) -> None: ...

    async def retry_failed(self, group: str, now: datetime) -> int:
        """Put the failed rows of a notification (its group key, or ``outbox:{id}`` for a lone
        row) back to pending, due ``now``, with their attempts reset; how many."""
        ...

    async def group_outcome(self, group: str) -> GroupOutcome:
        """Asked after a row of ``group`` failed for good, in the same transaction."""
        ...

    async def record_delivery(self, provider_message_id: str, status: str) -> bool:
        """A delivery status from the provider (sent/delivered/read/failed)."""
        ...

    async def pending_count(self) -> int: ...

    async def purge_finished(self, before: datetime) -> int:
        """Delete sent and failed rows created before ``before`` (they hold phone numbers and
        message texts)."""
        ...
