"""Read models for the owner's console: what is on the calendar, as rows (never aggregates:
these are for showing, never for deciding)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """A row that holds nights: a booking (live hold or confirmed), a manual block, or nights
    imported from another channel (``channel`` airbnb/booking/google/other)."""

    code: str
    accommodation_id: int
    check_in: date
    check_out: date
    kind: str  # booking | block | external
    channel: str
    status: str  # pre_reserved | confirmed
    guest_name: str | None
    guests: int
    expires_at: datetime | None
    total_cents: int
    deposit_cents: int
    note: str | None  # a block's reason


@dataclass(frozen=True, slots=True)
class Collision:
    """An imported event that wanted nights already held by ``other_code``."""

    accommodation_id: int
    check_in: date
    check_out: date
    source: str
    other_code: str
    detected_at: datetime
    id: int | None = None


@dataclass(frozen=True, slots=True)
class FailedMessage:
    """An open undeliverable notification (see ``UndeliverableMessages``)."""

    kind: str  # its topic
    created_at: datetime  # when it failed on its last channel
    id: int | None = None
    reservation: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What a person (or the system) did to a record, from the audit log."""

    actor: str
    action: str
    at: datetime
    before: Mapping[str, object] = field(default_factory=dict)
    after: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A message about a reservation that went (or is going) through the outbox."""

    kind: str  # the outbox kind: whatsapp.message, email.message, mercadopago.checkout
    topic: str | None
    status: str  # pending | sent | failed
    delivery_status: str | None  # what WhatsApp reported last (delivered, read…)
    created_at: datetime
    sent_at: datetime | None


class BackOfficeReads(Protocol):
    async def calendar_changes(self) -> int:
        """A number that grows with every committed change to what the calendar is drawn from
        (reservations and blocks, cabins, imported feeds and their collisions): equal numbers
        read at two moments mean the same rows. Read it before the rows it stands for."""
        ...

    async def items_between(self, start: date, end: date, now: datetime) -> list[CalendarItem]:
        """Active rows (holds not lapsed at ``now``) with a night in [start, end), by cabin
        and check-in."""
        ...

    async def cabin_names(self) -> dict[int, str]:
        """Every cabin's name (active or not), by id."""
        ...

    async def money_held(self, codes: Sequence[str]) -> dict[str, int]:
        """For each booking of ``codes`` with anything in its ledger
        (``BookingLedger.recorded``): what the ledger holds (``BookingLedger.held``: paid,
        credits applied included, less what was refunded or credited), in cents of the
        booking's currency. A booking with nothing recorded is left out: its money is
        unknown, not zero (``domain.payments.standing``)."""
        ...

    async def live_holds(
        self, now: datetime, limit: int, count_up_to: int
    ) -> tuple[int, list[CalendarItem]]:
        """How many holds are not lapsed at ``now``, counted up to ``count_up_to`` (more read
        as ``count_up_to``), and the ``limit`` soonest to lapse."""
        ...

    async def collisions_between(self, start: date, end: date) -> list[Collision]: ...

    async def failed_messages(self, limit: int) -> tuple[int, list[FailedMessage]]:
        """How many outbound messages failed for good, and the newest ``limit`` of them."""
        ...

    async def audit_of(self, target: str, limit: int) -> list[AuditRecord]:
        """The audit entries about ``target`` (a reservation code…), oldest first."""
        ...

    async def messages_of(self, code: str, limit: int) -> list[MessageRecord]:
        """The outbox rows about reservation ``code`` still kept (sent rows are purged after
        a while), oldest first."""
        ...
