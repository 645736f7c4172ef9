"""In-memory implementations of every port, for the application tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

from application.errors import (
    CodeCollision,
    IntegrationError,
    StorageUnavailable,
    TransientStorageError,
)
from application.ports.audit import AuditEntry
from application.ports.conversations import Handover
from application.ports.idempotency import (
    PROVIDER_REFUNDS,
    WEBHOOK_PROVIDERS,
    RefundNote,
    StoredRequest,
)
from application.ports.ledger import QUEUE_FLAGS, FlaggedPayment, LedgerTerms
from application.ports.mail import OutgoingEmail
from application.ports.messaging import OutboundMessage, OutboundTemplate
from application.ports.outbox import (
    EmailMessage,
    GroupOutcome,
    OutboxItem,
    OutboxKind,
    OutboxMessage,
    OwnerAlert,
    PaymentLinkJob,
    WhatsAppMessage,
)
from application.ports.payments import (
    FOLDED_FLAGS,
    LEDGER,
    CheckoutRequest,
    PaymentLink,
    PaymentRecord,
    RefundMade,
    RefundRequest,
)
from application.ports.receipts import MediaInfo, ReceiptSummary
from application.ports.repositories import (
    COUNT_CAP,
    HoldOutcome,
    MoveOutcome,
    PaidOutcome,
    QuotaCheck,
    QuotaRefused,
    ReservationFilter,
    ReservationPage,
)
from application.ports.tracing import current_trace
from application.ports.undeliverable import UndeliverableMessage
from domain.booking.accommodation import Accommodation
from domain.booking.hold_limits import HoldLimit, HoldQuota
from domain.booking.reservation import Guest, Reservation, ReservationStatus
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.conversation.state import ConversationState, Step
from domain.errors import DuplicateName
from domain.messaging.cabin_texts import CabinTexts
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy
from domain.payments.credits import CreditUse, GuestCredit, applied_reference
from domain.payments.ledger import BookingLedger, Flag, MoneyIn, MoneyOut, PaymentMethod
from domain.payments.payment import Attention, Payment, PaymentStatus
from domain.payments.receipts import Receipt, ReceiptStatus
from domain.payments.standing import standing
from domain.pricing.cabin_rules import CabinPriceRules
from domain.pricing.holidays import HolidayCalendar
from domain.stay import Stay
from tests.unit.application.fakes_accounts import FakeAccounts
from tests.unit.application.fakes_calendars import FakeBlocks, FakeFeeds
from tests.unit.application.fakes_prices import FakePriceStore

M = TypeVar("M")


class RecordingMetrics:
    def __init__(self) -> None:
        self.placed: list[str] = []
        self.conflicts: list[str] = []
        self.limited: list[tuple[str, str]] = []
        self.confirmed = 0
        self.attention: list[str] = []
        self.outbox: list[tuple[str, str]] = []  # (kind, "sent" | "retry" | "failed")
        self.expired = 0
        self.pending_gauge: int | None = None

    def payment_confirmed(self) -> None:
        self.confirmed += 1

    def payment_attention(self, reason: str) -> None:
        self.attention.append(reason)

    def outbox_sent(self, kind: str) -> None:
        self.outbox.append((kind, "sent"))

    def outbox_failed(self, kind: str, *, permanent: bool) -> None:
        self.outbox.append((kind, "failed" if permanent else "retry"))

    def holds_expired(self, count: int) -> None:
        self.expired += count

    def outbox_pending(self, count: int) -> None:
        self.pending_gauge = count

    def hold_placed(self, channel: str) -> None:
        self.placed.append(channel)

    def stay_conflict(self, channel: str) -> None:
        self.conflicts.append(channel)

    def hold_limited(self, limit: str, channel: str) -> None:
        self.limited.append((limit, channel))


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


class SequenceCodes:
    def __init__(self, *codes: str) -> None:
        self._codes = [ReservationCode(c) for c in codes]

    def new_code(self) -> ReservationCode:
        return self._codes.pop(0) if self._codes else ReservationCode.generate()


class FakeAccommodations:
    def __init__(self, items: Sequence[Accommodation]) -> None:
        self.items = {a.id: a for a in items}

    async def list(self, *, only_active: bool = True) -> Sequence[Accommodation]:
        return [a for _, a in sorted(self.items.items()) if a.active or not only_active]

    async def get(self, accommodation_id: int) -> Accommodation | None:
        return self.items.get(accommodation_id)

    async def add(self, accommodation: Accommodation) -> int:
        self._refuse_taken_name(accommodation)
        new_id = max(self.items, default=0) + 1
        self.items[new_id] = replace(accommodation, id=new_id)
        return new_id

    async def update(self, accommodation: Accommodation) -> bool:
        if accommodation.id not in self.items:
            return False
        self._refuse_taken_name(accommodation)
        self.items[accommodation.id] = accommodation
        return True

    def _refuse_taken_name(self, accommodation: Accommodation) -> None:
        if any(
            a.name == accommodation.name and i != accommodation.id for i, a in self.items.items()
        ):
            raise DuplicateName(f"there is already an accommodation named {accommodation.name}")


class FakeCatalogue:
    """Reads through to the fake repository, unless ``stale`` pins an old copy of a cabin."""

    def __init__(self, accommodations: FakeAccommodations) -> None:
        self._accommodations = accommodations
        self.stale: dict[int, Accommodation] = {}
        self.invalidations = 0

    async def active(self) -> Sequence[Accommodation]:
        current = await self._accommodations.list(only_active=False)
        return [self.stale.get(a.id, a) for a in current if self.stale.get(a.id, a).active]

    async def get_active(self, accommodation_id: int) -> Accommodation | None:
        found = self.stale.get(accommodation_id) or await self._accommodations.get(accommodation_id)
        return found if found is not None and found.active else None

    def invalidate(self) -> None:
        self.stale.clear()
        self.invalidations += 1


class FakeReservations:
    def __init__(self, accommodations: FakeAccommodations) -> None:
        self.accommodations = accommodations
        self.committed: dict[str, Reservation] = {}
        self.pending: dict[str, Reservation] = {}
        self.alone_calls: list[bool] = []  # add_hold's ``alone``, call by call
        self.retry_keys: dict[str, str] = {}  # code -> the retry_key it was placed with
        self.quota_keys: dict[str, HoldQuota] = {}  # code -> whom it counts against
        self.transient_failures = 0  # raise TransientStorageError this many times first
        # The other rows under the exclusion constraint (blocks, imported events): each gives
        # the (cabin, stay) of its active rows overlapping a window, for a cabin or all.
        self.elsewhere: tuple[Callable[[int | None, Stay], list[tuple[int, Stay]]], ...] = ()
        self.rules_version: int | None = None  # the price rules' version, when a test keeps one
        # Whether a phone key has an open guest credit (the credits' ``any_open``), asked of a
        # placed hold with a quota, as the hold's statement does.
        self.open_credit: Callable[[str, date, datetime], bool] = lambda phone, today, now: False

    def _all(self) -> dict[str, Reservation]:
        return {**self.committed, **self.pending}

    def taken(self, acc_id: int, window: Stay, now: datetime) -> bool:
        """The exclusion constraint: an active row of any kind overlaps (lapsed holds never
        block)."""
        return bool(self.blocking(acc_id, window, now)) or any(
            other(acc_id, window) for other in self.elsewhere
        )

    def blocking(self, acc_id: int, window: Stay, now: datetime) -> list[Reservation]:
        return [
            r
            for r in self._all().values()
            if r.accommodation_id == acc_id
            and r.is_active
            and not r.hold_lapsed(now)
            and r.stay.overlaps(window)
        ]

    async def add_hold(
        self,
        reservation: Reservation,
        now: datetime,
        basis: Accommodation,
        *,
        alone: bool = False,
        retry_key: str | None = None,
        quota: QuotaCheck | None = None,
        rules_version: int | None = None,
    ) -> HoldOutcome | QuotaRefused:
        self.alone_calls.append(alone)
        if self.accommodations.items.get(basis.id) != basis:
            return HoldOutcome.STALE
        if rules_version is not None and rules_version != self.rules_version:
            return HoldOutcome.STALE
        if self.transient_failures:
            self.transient_failures -= 1
            raise TransientStorageError("deadlock")
        if reservation.code.value in self._all():
            raise CodeCollision("taken")
        for r in self._all().values():
            if (
                r.accommodation_id == reservation.accommodation_id
                and r.hold_lapsed(now)
                and r.stay.overlaps(reservation.stay)
            ):
                r.expire(now)
        refused = self._over_quota(quota, now)
        if refused is not None or self.taken(reservation.accommodation_id, reservation.stay, now):
            if retry_key is not None and await self.retried_hold(
                reservation.accommodation_id, reservation.stay, retry_key, now
            ):
                return HoldOutcome.RETRIED
            return refused or HoldOutcome.TAKEN
        self.pending[reservation.code.value] = replace(reservation, events=[])
        if retry_key is not None:
            self.retry_keys[reservation.code.value] = retry_key
        if quota is not None:
            self.quota_keys[reservation.code.value] = quota.quota
            phone = quota.quota.phone_key
            if phone is not None and self.open_credit(phone, local_today(now), now):
                return HoldOutcome.PLACED_WITH_CREDIT
        return HoldOutcome.PLACED

    def _over_quota(self, check: QuotaCheck | None, now: datetime) -> QuotaRefused | None:
        if check is None:
            return None
        live = [
            (self.quota_keys[code], r.expires_at)
            for code, r in self._all().items()
            if code in self.quota_keys
            and r.status is ReservationStatus.PRE_RESERVED
            and r.expires_at is not None
            and r.expires_at > now
        ]
        rules = (
            (HoldLimit.PER_PHONE, check.per_phone, check.quota.phone_key, "phone_key"),
            (HoldLimit.PER_CLIENT, check.per_client, check.quota.client_key, "client_key"),
        )
        for limit, value, key, attr in rules:
            ends = sorted(at for q, at in live if getattr(q, attr) == key and at is not None)
            if key is not None and value and len(ends) >= value:
                return QuotaRefused(limit, ends[0])
        return None

    async def retried_hold(
        self, accommodation_id: int, stay: Stay, retry_key: str, now: datetime
    ) -> Reservation | None:
        for code, key in self.retry_keys.items():
            r = self._all().get(code)
            if (
                key == retry_key
                and r is not None
                and r.accommodation_id == accommodation_id
                and r.stay == stay
                and r.status is ReservationStatus.PRE_RESERVED
                and not r.hold_lapsed(now)
            ):
                return r
        return None

    async def get(self, code: ReservationCode, *, for_update: bool = False) -> Reservation | None:
        found = self._all().get(code.value)
        return None if found is None else replace(found, events=list(found.events))

    async def save_paid(self, reservation: Reservation, previous: ReservationStatus) -> PaidOutcome:
        """Like the SQL one: reinstating a lapsed hold re-enters the overlap rule."""
        stored = self._all().get(reservation.code.value)
        if stored is None or stored.status is not previous:
            return PaidOutcome.RACED
        now = reservation.events[-1].at if reservation.events else reservation.created_at
        others = [
            r
            for r in self.blocking(reservation.accommodation_id, reservation.stay, now)
            if r.code != reservation.code
        ]
        elsewhere = any(o(reservation.accommodation_id, reservation.stay) for o in self.elsewhere)
        if others or elsewhere:
            return PaidOutcome.TAKEN
        self.pending[reservation.code.value] = reservation
        return PaidOutcome.CONFIRMED

    async def set_payment_link(self, code: ReservationCode, preference_id: str, url: str) -> None:
        if (found := self._all().get(code.value)) is not None:
            self.pending[code.value] = replace(
                found, payment_url=url, payment_preference=preference_id
            )

    async def anonymize_ended_before(self, day: date, now: datetime, limit: int) -> int:
        ended = sorted(
            (r for r in self._all().values() if r.stay.check_out < day and r.guest.phone != "-"),
            key=lambda r: r.stay.check_out,
        )[:limit]
        for r in ended:
            self.pending[r.code.value] = replace(r, guest=Guest("Anonimizado", "-"), notes=None)
        return len(ended)

    async def expire_lapsed(self, now: datetime, limit: int) -> list[Reservation]:
        lapsed = sorted(
            (
                r
                for r in self._all().values()
                if r.status is ReservationStatus.PRE_RESERVED and r.hold_lapsed(now)
            ),
            key=lambda r: r.expires_at or now,
        )[:limit]
        expired = []
        for found in lapsed:
            r = replace(found, events=list(found.events))
            r.expire(now)
            self.pending[r.code.value] = r
            expired.append(r)
        return expired

    async def search(self, criteria: ReservationFilter) -> ReservationPage:
        found = [
            r
            for r in self._all().values()
            if (criteria.status is None or r.status is criteria.status)
            and (criteria.accommodation_id in (None, r.accommodation_id))
            and (criteria.channel is None or r.channel is criteria.channel)
            and (criteria.stay_from is None or r.stay.check_out > criteria.stay_from)
            and (criteria.stay_to is None or r.stay.check_in < criteria.stay_to)
        ]
        found.sort(key=lambda r: r.created_at, reverse=True)
        page = found[criteria.offset : criteria.offset + criteria.limit]
        return ReservationPage(
            items=page, total=min(len(found), COUNT_CAP), total_capped=len(found) > COUNT_CAP
        )

    async def save_status(self, reservation: Reservation, previous: Any) -> bool:
        stored = self._all().get(reservation.code.value)
        if stored is None or stored.status is not previous:
            return False
        self.pending[reservation.code.value] = reservation
        return True

    async def save_move(
        self, reservation: Reservation, moved_from: Reservation, now: datetime
    ) -> MoveOutcome:
        """Like the SQL one: guarded by what it was read with; the overlap rule decides."""
        stored = self._all().get(reservation.code.value)
        if stored is None or (stored.status, stored.accommodation_id, stored.stay) != (
            moved_from.status,
            moved_from.accommodation_id,
            moved_from.stay,
        ):
            return MoveOutcome.RACED
        others = [
            r
            for r in self.blocking(reservation.accommodation_id, reservation.stay, now)
            if r.code != reservation.code
        ]
        if others:
            return MoveOutcome.TAKEN
        self.pending[reservation.code.value] = reservation
        return MoveOutcome.MOVED

    async def save_notes(self, code: ReservationCode, notes: str, now: datetime) -> bool:
        stored = self._all().get(code.value)
        if stored is None:
            return False
        self.pending[code.value] = replace(stored, notes=notes)
        return True

    async def latest_for_phone(self, phone: str, since: datetime) -> Reservation | None:
        mine = [r for r in self._all().values() if r.guest.phone == phone and r.created_at >= since]
        newest = sorted(mine, key=lambda r: r.created_at)[-1] if mine else None  # stable: ties
        return None if newest is None else await self.get(newest.code)  # go to the last added

    async def recent_for_phone(
        self, phone: str, since: datetime, limit: int
    ) -> Sequence[Reservation]:
        mine = [r for r in self._all().values() if r.guest.phone == phone and r.created_at >= since]
        # Newest first; among ties, the last added first (as ``latest_for_phone``).
        order = sorted(enumerate(mine), key=lambda p: (p[1].created_at, p[0]), reverse=True)
        return [r for _, r in order][:limit]

    async def occupied(
        self, window: Stay, now: datetime, accommodation_id: int | None = None
    ) -> dict[int, list[Stay]]:
        taken: dict[int, list[Stay]] = {}
        for r in self._all().values():
            if accommodation_id is not None and r.accommodation_id != accommodation_id:
                continue
            if r in self.blocking(r.accommodation_id, window, now):
                taken.setdefault(r.accommodation_id, []).append(r.stay)
        for other in self.elsewhere:
            for acc_id, stay in other(accommodation_id, window):
                taken.setdefault(acc_id, []).append(stay)
        return taken

    async def occupied_and_rules_version(
        self, window: Stay, now: datetime
    ) -> tuple[dict[int, list[Stay]], int | None]:
        return await self.occupied(window, now), self.rules_version

    async def occupied_ranges(
        self, accommodation_id: int, start: date, end: date, now: datetime
    ) -> Sequence[Stay]:
        found = await self.occupied(Stay(start, end), now, accommodation_id)
        return sorted(found.get(accommodation_id, []))


@dataclass(slots=True)
class OutboxRowState:
    created_at: datetime
    next_attempt_at: datetime
    trace_id: str | None
    status: str = "pending"  # pending | sent | failed | purged
    attempts: int = 0
    error: str | None = None
    provider_message_id: str | None = None
    delivery_status: str | None = None


_KIND_OF: dict[type[object], str] = {
    WhatsAppMessage: OutboxKind.WHATSAPP_MESSAGE,
    EmailMessage: OutboxKind.EMAIL_MESSAGE,
    OwnerAlert: OutboxKind.ADMIN_ALERT,
    PaymentLinkJob: OutboxKind.PAYMENT_LINK,
}


class FakeOutbox:
    """Rows added in the open transaction are kept only if it commits. ``committed`` and
    ``pending`` list what was written (message, dedupe key); a row's id is its place in that
    order (from 1), its sending state is in ``states``."""

    def __init__(self) -> None:
        self.committed: list[tuple[OutboxMessage, str | None]] = []
        self.pending: list[tuple[OutboxMessage, str | None]] = []
        self.groups: dict[int, str | None] = {}
        self.states: dict[int, OutboxRowState] = {}
        self.pending_states: dict[int, OutboxRowState] = {}
        self.deliveries: list[tuple[str, str]] = []
        self.crash_on: type[OutboxMessage] | None = None  # a message type whose next put fails

    async def put(
        self,
        message: OutboxMessage,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        group: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        if dedupe_key and any(k == dedupe_key for _, k in self.committed + self.pending):
            return None
        if self.crash_on is not None and isinstance(message, self.crash_on):
            self.crash_on = None
            raise RuntimeError("the connection dropped")  # the process dies here, say
        self.pending.append((message, dedupe_key))
        row_id = len(self.committed) + len(self.pending)
        self.groups[row_id] = group or dedupe_key
        self.pending_states[row_id] = OutboxRowState(now, now, trace_id or current_trace.get())
        return row_id

    async def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        assert kind == OutboxKind.PAYMENT_LINK, "only place_hold still writes untyped rows"
        return await self.put(
            PaymentLinkJob(str(payload["code"])), now, dedupe_key=dedupe_key, trace_id=trace_id
        )

    def sent(self, kind: type[M]) -> list[M]:
        """The committed messages of one type, in order."""
        return [m for m, _ in self.committed if isinstance(m, kind)]

    def _state(self, row_id: int) -> OutboxRowState:
        return self.pending_states.get(row_id) or self.states[row_id]

    def _change(self, row_id: int) -> OutboxRowState:
        if row_id not in self.pending_states:
            self.pending_states[row_id] = replace(self.states[row_id])
        return self.pending_states[row_id]

    async def claim_due(self, now: datetime, *, dedupe_key: str | None = None) -> OutboxItem | None:
        due = [
            (state.next_attempt_at, row_id, message, state)
            for row_id, (message, key) in enumerate(self.committed + self.pending, 1)
            if (state := self._state(row_id)).status == "pending"
            and state.next_attempt_at <= now
            and (dedupe_key is None or key == dedupe_key)
        ]
        if not due:
            return None
        _, row_id, message, state = min(due, key=lambda d: (d[0], d[1]))
        kind = _KIND_OF[type(message)]
        return OutboxItem(
            row_id, kind, message, state.attempts, state.trace_id, group=self.groups.get(row_id)
        )

    async def mark_sent(self, item_id: int, now: datetime, provider_message_id: str | None) -> None:
        state = self._change(item_id)
        state.status, state.provider_message_id, state.error = "sent", provider_message_id, None
        state.attempts += 1

    async def retry_later(self, item_id: int, error: str, next_attempt_at: datetime) -> None:
        state = self._change(item_id)
        state.error, state.next_attempt_at = error, next_attempt_at
        state.attempts += 1

    async def mark_failed(self, item_id: int, error: str) -> None:
        state = self._change(item_id)
        state.status, state.error = "failed", error
        state.attempts += 1

    async def retry_failed(self, group: str, now: datetime) -> int:
        lone = group.removeprefix("outbox:")
        rows = (
            [int(lone)]
            if lone != group and lone.isdigit()
            else [row_id for row_id, g in self.groups.items() if g == group]
        )
        again = 0
        for row_id in rows:
            if self._state(row_id).status == "failed":
                state = self._change(row_id)
                state.status, state.error, state.attempts = "pending", None, 0
                state.next_attempt_at = now
                again += 1
        return again

    async def group_outcome(self, group: str) -> GroupOutcome:
        rows = [row_id for row_id, g in self.groups.items() if g == group]
        states = [self._state(row_id) for row_id in rows]
        failed = all(s.status == "failed" for s in states)
        return GroupOutcome(failed, tuple(s.error for s in states if s.error))

    async def record_delivery(self, provider_message_id: str, status: str) -> bool:
        self.deliveries.append((provider_message_id, status))
        return True

    async def pending_count(self) -> int:
        return sum(
            self._state(row_id).status == "pending"
            for row_id in range(1, len(self.committed) + len(self.pending) + 1)
        )

    async def purge_finished(self, before: datetime) -> int:
        return 0  # rows are never deleted here: tests read them back

    def commit(self) -> None:
        self.committed.extend(self.pending)
        self.pending.clear()
        self.states.update(self.pending_states)
        self.pending_states.clear()

    def rollback(self) -> None:
        self.pending.clear()
        self.pending_states.clear()


class FakePayments:
    """Payments by id; what an open transaction saves is kept only on commit."""

    def __init__(self) -> None:
        self.committed: dict[str, PaymentRecord] = {}
        self.pending: dict[str, PaymentRecord] = {}
        # What each booking owes back, by code (set by the unit of work: its ledgers).
        self.owed_back: Callable[[], Awaitable[dict[str, Money]]] | None = None
        # The references of the payments a booking's ledger counts (set likewise).
        self.counted: Callable[[str], Awaitable[set[str]]] | None = None

    async def get(self, payment_id: str) -> PaymentRecord | None:
        return self.pending.get(payment_id) or self.committed.get(payment_id)

    async def save(
        self,
        payment: Payment,
        now: datetime,
        *,
        reservation_code: str | None,
        attention: Attention | None,
        attention_reason: str | None,
    ) -> None:
        before = await self.get(payment.id)
        self.pending[payment.id] = PaymentRecord(
            payment=payment,
            reservation_code=reservation_code,
            attention=attention or (before.attention if before else None),
            attention_reason=attention_reason
            if attention
            else (before.attention_reason if before else None),
            first_seen_at=before.first_seen_at if before else now,
            updated_at=now,
            attention_resolved_at=None
            if before is None or (attention is not None and attention != before.attention)
            else before.attention_resolved_at,
            attention_resolution=None
            if before is None or (attention is not None and attention != before.attention)
            else before.attention_resolution,
        )

    async def needing_attention(self, limit: int) -> list[PaymentRecord]:
        every = {**self.committed, **self.pending}.values()
        open_ = [r for r in every if r.attention is not None and r.attention_resolved_at is None]
        return open_[:limit]

    async def resolve_attention(
        self, payment_id: str, resolution: str, now: datetime
    ) -> PaymentRecord | None:
        record = await self.get(payment_id)
        if record is None or record.attention is None or record.attention_resolved_at:
            return None
        self.pending[payment_id] = replace(
            record, attention_resolved_at=now, attention_resolution=resolution
        )
        return record

    async def for_reservation(self, code: str) -> list[PaymentRecord]:
        every = {**self.committed, **self.pending}.values()
        return [r for r in every if r.reservation_code == code and not r.money_to_return]

    async def keep_money_to_return(
        self, item_id: str, code: str, amount: Money, reason: str, now: datetime, *, reopen: bool
    ) -> None:
        before = await self.get(item_id)
        settled = None if reopen or before is None else before.attention_resolved_at
        self.pending[item_id] = PaymentRecord(
            payment=Payment(item_id, PaymentStatus.APPROVED, amount, None),
            reservation_code=code,
            attention=Attention.REFUND_REQUIRED,
            attention_reason=reason,
            first_seen_at=before.first_seen_at if before else now,
            updated_at=now,
            attention_resolved_at=settled,
            provider=LEDGER,
        )

    async def money_to_return_out_of_step(
        self, limit: int, codes: Sequence[str] | None = None
    ) -> list[str]:
        owed = await self.owed_back() if self.owed_back else {}
        every = {**self.committed, **self.pending}.values()
        items = {r.reservation_code: r for r in every if r.money_to_return}
        found = []
        for code, amount in sorted(owed.items()):
            item = items.get(code)
            if codes is not None and code not in codes:
                continue
            missing = item is None and amount.cents > 0
            if missing or (
                item
                and not item.attention_resolved_at
                and (item.payment.amount != amount or await self._flag_beside(code))
            ):
                found.append(code)
        return found[:limit]

    async def _flag_beside(self, code: str) -> bool:
        """An open Mercado Pago flag about money the booking's ledger counts."""
        counted = await self.counted(code) if self.counted else set()
        return any(
            r.attention in FOLDED_FLAGS
            and r.attention_resolved_at is None
            and f"mp:{r.payment.id}" in counted
            for r in await self.for_reservation(code)
        )

    def commit(self) -> None:
        self.committed.update(self.pending)
        self.pending.clear()


class FakeGateway:
    """The provider's view of payments, by id (re-fetched on every notification)."""

    def __init__(self) -> None:
        self.payments: dict[str, Payment] = {}
        self.fetches: list[str] = []
        self.refunds: list[RefundRequest] = []
        self.refunds_by_key: dict[str, RefundMade] = {}
        self.checkouts: list[CheckoutRequest] = []
        self.extended: list[tuple[str, datetime]] = []

    async def create_checkout(self, request: CheckoutRequest) -> PaymentLink:
        self.checkouts.append(request)
        suffix = "" if request.purpose == "deposit" else f"-{request.purpose}"
        return PaymentLink(
            f"pref-{request.code.value}{suffix}", f"https://pay.example/{request.code}{suffix}"
        )

    async def extend_checkout(self, preference_id: str, expires_at: datetime) -> None:
        self.extended.append((preference_id, expires_at))

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        self.fetches.append(payment_id)
        return self.payments.get(payment_id)

    async def refund(self, request: RefundRequest) -> RefundMade:
        """As Mercado Pago: the same key returns the refund it made; a new one adds to the
        payment's refunded amount (``refunded`` once it is all)."""
        if request.idempotency_key in self.refunds_by_key:
            return self.refunds_by_key[request.idempotency_key]
        self.refunds.append(request)
        made = RefundMade(request.payment_id, request.amount, f"refund-{len(self.refunds)}")
        self.refunds_by_key[request.idempotency_key] = made
        payment = self.payments.get(request.payment_id)
        if payment is not None:
            before = payment.refunded.cents if payment.refunded else 0
            refunded = Money(before + request.amount.cents, payment.amount.currency)
            whole = refunded.cents >= payment.amount.cents
            self.payments[request.payment_id] = replace(
                payment,
                refunded=refunded,
                status=PaymentStatus.REFUNDED if whole else payment.status,
            )
        return made


class FakePriceRules:
    """Every cabin's rules in memory; ``reads`` counts ``all_rules`` calls (the cache's reads).
    ``loaded_version``: the version the served rules were read at. ``elsewhere``: rules (and
    their version) another process stored, which this cache only serves once invalidated."""

    def __init__(
        self, rules: Mapping[int, CabinPriceRules] | None = None, version: int | None = None
    ) -> None:
        self.rules: dict[int, CabinPriceRules] = dict(rules or {})
        self.policies: dict[int, CancellationPolicy] = {}
        self.reads = 0
        self.invalidations = 0
        self.loaded_version = version
        self.elsewhere: tuple[dict[int, CabinPriceRules], int] | None = None

    async def all_rules(self, version: int | None = None) -> Mapping[int, CabinPriceRules]:
        self.reads += 1
        return dict(self.rules)

    async def replace(
        self,
        accommodation_id: int,
        rules: CabinPriceRules,
        cancellation: CancellationPolicy | None = None,
    ) -> None:
        self.rules[accommodation_id] = rules
        if cancellation is not None:
            self.policies[accommodation_id] = cancellation

    async def cancellation_policy(self, accommodation_id: int) -> CancellationPolicy | None:
        return self.policies.get(accommodation_id)

    async def cancellation_policies(
        self, accommodation_ids: Collection[int]
    ) -> dict[int, CancellationPolicy]:
        return {i: self.policies[i] for i in accommodation_ids if i in self.policies}

    def invalidate(self) -> None:
        self.invalidations += 1
        if self.elsewhere is not None:
            (self.rules, self.loaded_version), self.elsewhere = self.elsewhere, None


class FakeLedger:
    """Movements by booking code; what an open transaction adds is kept only on commit."""

    def __init__(self) -> None:
        self.committed: list[tuple[str, str, MoneyIn | MoneyOut]] = []
        self.pending: list[tuple[str, str, MoneyIn | MoneyOut]] = []
        # The credits a booking holds (set by the unit of work: ``FakeGuestCredits``).
        self.credits_of: Callable[[str], tuple[GuestCredit, ...]] | None = None
        # The flags settled (``resolve_flag``), by the payment's position + 1.
        self.resolved: dict[int, str] = {}
        self.resolving: dict[int, str] = {}

    async def load(self, reservation: Reservation, terms: LedgerTerms) -> BookingLedger:
        opened = BookingLedger.open(
            reservation.total,
            reservation.deposit,
            reservation.stay.check_in,
            reservation.created_at.date(),
            terms.balance_due_days,
        )
        mine = [(d, m) for c, d, m in self.committed + self.pending if c == reservation.code.value]
        for credit in self.credits_of(reservation.code.value) if self.credits_of else ():
            opened = opened.apply_credit(
                MoneyIn(
                    applied_reference(credit.id or 0),
                    PaymentMethod.CREDIT,
                    credit.amount,
                    credit.issued_on,
                    "credit",
                )
            )
        return replace(
            opened,
            payments=opened.payments
            + tuple(m for d, m in mine if d == "payment" and isinstance(m, MoneyIn)),
            refunds=tuple(m for d, m in mine if d == "refund" and isinstance(m, MoneyOut)),
            credits=tuple(m for d, m in mine if d == "credit" and isinstance(m, MoneyOut)),
        )

    async def add_payment(self, code: str, payment: MoneyIn, note: str | None = None) -> None:
        self.pending.append((code, "payment", payment))

    async def add_refund(self, code: str, refund: MoneyOut, note: str | None = None) -> None:
        self.pending.append((code, "refund", refund))

    async def add_credit(self, code: str, credit: MoneyOut, note: str | None = None) -> None:
        self.pending.append((code, "credit", credit))

    def _flagged(self, index: int, code: str, payment: MoneyIn) -> FlaggedPayment:
        return FlaggedPayment(
            id=index + 1,
            code=code,
            method=payment.method,
            amount=payment.amount,
            flag=payment.flag or Flag.UNMATCHED,
            received_on=payment.received_on,
            recorded_by=payment.recorded_by,
            recorded_at=datetime.combine(payment.received_on, datetime.min.time(), UTC),
        )

    def _open(self) -> list[FlaggedPayment]:
        every = self.committed + self.pending
        return [
            self._flagged(i, c, m)
            for i, (c, d, m) in enumerate(every)
            if d == "payment"
            and isinstance(m, MoneyIn)
            and m.flag in QUEUE_FLAGS
            and m.method is not PaymentMethod.MERCADOPAGO
            and i + 1 not in self.resolved
            and i + 1 not in self.resolving
        ]

    async def open_flags(self, limit: int) -> list[FlaggedPayment]:
        return list(reversed(self._open()))[:limit]

    async def resolve_flag(
        self, item_id: int, resolution: str, now: datetime
    ) -> FlaggedPayment | None:
        found = next((f for f in self._open() if f.id == item_id), None)
        if found is not None:
            self.resolving[item_id] = resolution
        return found

    async def resolve_flags_of(
        self, code: str, resolution: str, now: datetime
    ) -> list[FlaggedPayment]:
        found = [f for f in self._open() if f.code == code]
        for f in found:
            self.resolving[f.id] = resolution
        return found

    def commit(self) -> None:
        self.committed += self.pending
        self.pending.clear()
        self.resolved.update(self.resolving)
        self.resolving.clear()


class FakeGuestCredits:
    """Credits by id, with the booking code each is applied to; kept only on commit."""

    def __init__(self, reservations: FakeReservations) -> None:
        self.reservations = reservations
        self.committed: dict[int, tuple[GuestCredit, str | None]] = {}
        self.rows: dict[int, tuple[GuestCredit, str | None]] = {}
        self.claimed: set[int] = set()  # locked by another transaction (a test sets it)
        self.open_reads = 0  # any_open calls (a round trip each)

    def _open(self, credit: GuestCredit, holder: str | None, today: date, now: datetime) -> bool:
        if not credit.usable_on(today):
            return False
        if holder is None:
            return True
        held_by = self.reservations._all().get(holder)
        return held_by is None or (
            held_by.status is ReservationStatus.EXPIRED
            or (held_by.status is ReservationStatus.PRE_RESERVED and held_by.hold_lapsed(now))
        )

    async def issue(self, credit: GuestCredit, now: datetime) -> GuestCredit:
        for known, _ in self.rows.values():
            if (known.source_code, known.reference) == (credit.source_code, credit.reference):
                return known
        stored = replace(credit, id=max(self.rows, default=0) + 1)
        self.rows[stored.id or 0] = (stored, None)
        return stored

    def has_open(self, phone: str, today: date, now: datetime) -> bool:
        return any(c.phone == phone and self._open(c, h, today, now) for c, h in self.rows.values())

    async def any_open(self, phone: str, today: date, now: datetime) -> bool:
        self.open_reads += 1
        return self.has_open(phone, today, now)

    async def claim_open(
        self, phone: str, currency: str, today: date, now: datetime
    ) -> tuple[GuestCredit, ...]:
        return tuple(
            c
            for i, (c, h) in sorted(self.rows.items())
            if i not in self.claimed
            and c.phone == phone
            and c.amount.currency == currency
            and self._open(c, h, today, now)
        )

    async def apply(self, use: CreditUse, reservation_code: str, now: datetime) -> GuestCredit:
        assert use.credit.id is not None
        taken = replace(use.credit, amount=use.applied)
        self.rows[use.credit.id] = (taken, reservation_code)
        if use.remainder.cents:
            rest = replace(
                use.credit,
                amount=use.remainder,
                reference=f"{use.credit.reference}/rest-{use.credit.id}",
                id=max(self.rows) + 1,
            )
            self.rows[rest.id or 0] = (rest, None)
        return taken

    async def applied_to(self, reservation_code: str) -> tuple[GuestCredit, ...]:
        return tuple(c for c, h in self.rows.values() if h == reservation_code)

    async def release(self, reservation_code: str) -> int:
        mine = [i for i, (_, h) in self.rows.items() if h == reservation_code]
        for i in mine:
            self.rows[i] = (self.rows[i][0], None)
        return len(mine)

    async def issued_from(self, reservation_code: str) -> tuple[GuestCredit, ...]:
        return tuple(c for c, _ in self.rows.values() if c.source_code == reservation_code)

    def commit(self) -> None:
        self.committed = dict(self.rows)

    def rollback(self) -> None:
        self.rows = dict(self.committed)


class FakeReceipts:
    """Receipts by id (kept only on commit), each with its booking code."""

    def __init__(self) -> None:
        self.committed: dict[int, Receipt] = {}
        self.rows: dict[int, Receipt] = {}

    async def add(self, receipt: Receipt) -> Receipt:
        for known in self.rows.values():
            if known.media_id == receipt.media_id:
                return known
        stored = replace(receipt, id=max(self.rows, default=0) + 1)
        self.rows[stored.id or 0] = stored
        return stored

    async def get(self, receipt_id: int) -> Receipt | None:
        return self.rows.get(receipt_id)

    async def pending(self, limit: int) -> list[ReceiptSummary]:
        waiting = [r for r in self.rows.values() if r.status is ReceiptStatus.PENDING]
        return [
            ReceiptSummary(
                r.id or 0, r.reservation_code, r.mime_type, r.size, r.received_at, r.status
            )
            for r in sorted(waiting, key=lambda r: (r.received_at, r.id or 0))[:limit]
        ]

    async def decide(
        self, receipt_id: int, status: ReceiptStatus, actor: str, now: datetime
    ) -> bool:
        found = self.rows.get(receipt_id)
        if found is None or found.status is not ReceiptStatus.PENDING:
            return False
        self.rows[receipt_id] = replace(found, status=status)
        return True

    def commit(self) -> None:
        self.committed = dict(self.rows)

    def rollback(self) -> None:
        self.rows = dict(self.committed)


class FakeMedia:
    """WhatsApp media by id: (declared type, declared size, bytes); ``fails`` makes the next
    call raise as an unreachable Graph API would."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, int | None, bytes]] = {}
        self.fetched: list[str] = []
        self.fails = False

    async def describe(self, media_id: str) -> MediaInfo:
        if self.fails:
            raise IntegrationError("Graph API unreachable", retryable=True)
        mime, size, _ = self.files[media_id]
        return MediaInfo(f"https://lookaside.example/{media_id}", mime, size)

    async def fetch(self, info: MediaInfo, max_bytes: int) -> bytes | None:
        media_id = info.url.rsplit("/", 1)[-1]
        self.fetched.append(media_id)
        data = self.files[media_id][2]
        return None if len(data) > max_bytes else data


class FakeHolidays:
    """The days off the business observes: a fixed calendar; ``asked`` records each range."""

    def __init__(self, calendar: HolidayCalendar | None = None) -> None:
        self.holidays = calendar or HolidayCalendar()
        self.asked: list[tuple[date, date]] = []

    async def calendar(self, first_night: date, last_night: date) -> HolidayCalendar:
        self.asked.append((first_night, last_night))
        return self.holidays


class FakeContacts:
    def __init__(self) -> None:
        self.last: dict[str, datetime] = {}

    async def note_inbound(self, whatsapp_id: str, at: datetime) -> None:
        self.last[whatsapp_id] = max(at, self.last.get(whatsapp_id, at))

    async def last_inbound(self, whatsapp_id: str) -> datetime | None:
        return self.last.get(whatsapp_id)

    async def forget_before(self, before: datetime) -> int:
        old = [k for k, at in self.last.items() if at < before]
        for k in old:
            del self.last[k]
        return len(old)


class FakeUndeliverable:
    def __init__(self) -> None:
        self.items: dict[str, UndeliverableMessage] = {}
        self.resolved: dict[str, tuple[UndeliverableMessage, str]] = {}

    async def record(self, message: UndeliverableMessage) -> bool:
        self.resolved.pop(message.group, None)
        if message.id is None:
            message = replace(message, id=len(self.items) + len(self.resolved) + 1)
        return self.items.setdefault(message.group, message) is message

    async def list_open(self, limit: int) -> Sequence[UndeliverableMessage]:
        return sorted(self.items.values(), key=lambda m: m.failed_at, reverse=True)[:limit]

    async def resolve(
        self, item_id: int, resolution: str, now: datetime
    ) -> UndeliverableMessage | None:
        for group, item in list(self.items.items()):
            if item.id == item_id:
                del self.items[group]
                self.resolved[group] = (item, resolution)
                return item
        return None


class FakeMessageSchedule:
    """Confirmed stays read from the fake reservations; claims kept only on commit."""

    def __init__(self, reservations: FakeReservations) -> None:
        self._reservations = reservations
        self.committed: dict[str, tuple[str, str | None, datetime]] = {}
        self.pending: dict[str, tuple[str, str | None, datetime]] = {}

    def _confirmed(self) -> list[Reservation]:
        every = self._reservations._all().values()
        return [r for r in every if r.status is ReservationStatus.CONFIRMED]

    async def arriving(self, first: date, last: date) -> Sequence[Reservation]:
        found = [r for r in self._confirmed() if first <= r.stay.check_in <= last]
        return sorted(found, key=lambda r: r.stay.check_in)

    async def leaving(self, first: date, last: date) -> Sequence[Reservation]:
        found = [r for r in self._confirmed() if first <= r.stay.check_out <= last]
        return sorted(found, key=lambda r: r.stay.check_out)

    async def live_holds(self, now: datetime) -> int:
        every = self._reservations._all().values()
        return sum(
            1
            for r in every
            if r.status is ReservationStatus.PRE_RESERVED and not r.hold_lapsed(now)
        )

    async def queued(self, key: str) -> bool:
        return key in self.committed or key in self.pending

    async def claim(self, key: str, kind: str, reservation: str | None, now: datetime) -> bool:
        if await self.queued(key):
            return False
        self.pending[key] = (kind, reservation, now)
        return True

    async def forget_before(self, before: datetime) -> int:
        old = [k for k, (_, _, at) in self.committed.items() if at < before]
        for k in old:
            del self.committed[k]
        return len(old)


class FakeOptOuts:
    def __init__(self) -> None:
        self.numbers: dict[str, datetime] = {}

    async def opt_out(self, whatsapp_id: str, at: datetime) -> None:
        self.numbers[whatsapp_id] = at

    async def opt_in(self, whatsapp_id: str) -> None:
        self.numbers.pop(whatsapp_id, None)

    async def opted_out(self, whatsapp_id: str) -> bool:
        return whatsapp_id in self.numbers

    async def forget_unused(self, before: datetime) -> int:
        return 0


class FakeCabinTexts:
    def __init__(self) -> None:
        self.items: dict[int, CabinTexts] = {}

    async def get(self, accommodation_id: int) -> CabinTexts | None:
        return self.items.get(accommodation_id)

    async def save(self, accommodation_id: int, texts: CabinTexts, now: datetime) -> None:
        self.items[accommodation_id] = texts


class FakeSender:
    """WhatsApp that always delivers: what was sent, in order, with made-up message ids."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.templates: list[OutboundTemplate] = []
        self.failure: IntegrationError | None = None  # raised by every send while set
        self.template_failure: IntegrationError | None = None  # raised by templates only

    async def send(self, message: OutboundMessage) -> str:
        if self.failure is not None:
            raise self.failure
        self.sent.append(message)
        return f"wamid.{len(self.sent)}"

    async def send_template(self, message: OutboundTemplate) -> str:
        if self.failure is not None:
            raise self.failure
        if self.template_failure is not None:
            raise self.template_failure
        self.templates.append(message)
        return f"wamid.t{len(self.templates)}"


class FakeMailer:
    """E-mail that goes (unless ``failure`` is set): what was sent, in order."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failure: IntegrationError | None = None  # raised by every send while set

    async def send(self, email: OutgoingEmail) -> str:
        if self.failure is not None:
            raise self.failure
        self.sent.append(email)
        return f"<{len(self.sent)}@test>"


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def status_before(self, target: str, action: str) -> str | None:
        for entry in reversed(self.entries):
            if (entry.target, entry.action) == (target, action):
                status = entry.before.get("status")
                return str(status) if status is not None else None
        return None


class FakeIdempotency:
    """Keys and webhook deliveries; what an open transaction claims is kept only on commit."""

    def __init__(self) -> None:
        self.committed: dict[tuple[str, str], dict[str, Any]] = {}
        self.pending: dict[tuple[str, str], dict[str, Any]] = {}

    async def claim(
        self,
        scope: str,
        key: str,
        now: datetime,
        *,
        fingerprint: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> StoredRequest | None:
        prior = self.pending.get((scope, key)) or self.committed.get((scope, key))
        if prior is not None:
            return StoredRequest(
                prior["fingerprint"], prior["code"], prior["status"], prior["body"]
            )
        self.pending[(scope, key)] = {
            "fingerprint": fingerprint,
            "payload": dict(payload) if payload is not None else None,
            "claimed_at": now,
            "code": None,
            "status": None,
            "body": None,
            "processed": False,
            "attempts": 0,
        }
        return None

    async def stored(self, scope: str, key: str) -> StoredRequest | None:
        row = self.pending.get((scope, key)) or self.committed.get((scope, key))
        if row is None:
            return None
        return StoredRequest(row["fingerprint"], row["code"], row["status"], row["body"])

    def _row(self, scope: str, key: str) -> dict[str, Any] | None:
        row = self.pending.get((scope, key)) or self.committed.get((scope, key))
        if row is not None and (scope, key) not in self.pending:
            row = self.pending[(scope, key)] = dict(row)  # changed in this transaction
        return row

    async def attach_reservation(self, scope: str, key: str, code: str) -> None:
        if row := self._row(scope, key):
            row["code"] = code

    async def store_response(self, scope: str, key: str, status: int, body: str) -> None:
        if row := self._row(scope, key):
            row["status"], row["body"] = status, body

    async def unsettled_refund_notes(self, code: str) -> list[RefundNote]:
        rows = {**self.committed, **self.pending}
        return [
            RefundNote(key, row["body"], row["claimed_at"])
            for (scope, key), row in rows.items()
            if scope == PROVIDER_REFUNDS and row["code"] == code and not row["processed"]
        ]

    async def lock_unprocessed(self, scope: str, key: str) -> Mapping[str, Any] | None:
        row = self.pending.get((scope, key)) or self.committed.get((scope, key))
        if row is None or row["processed"] or row["payload"] is None:
            return None
        return dict(row["payload"])

    async def mark_processed(self, scope: str, key: str, now: datetime) -> None:
        if row := self._row(scope, key):
            row["processed"] = True

    async def note_failure(self, scope: str, key: str) -> int:
        row = self._row(scope, key)
        if row is None:
            return 0
        row["attempts"] += 1
        return int(row["attempts"])

    async def hold_back(self, scope: str, key: str, until: datetime) -> None:
        if row := self._row(scope, key):
            row["next_attempt_at"] = until

    async def unprocessed(
        self, older_than: datetime, now: datetime, limit: int
    ) -> list[tuple[str, str]]:
        due = [
            (row["claimed_at"], scope, key)
            for (scope, key), row in self.committed.items()
            if row["payload"] is not None
            and not row["processed"]
            and row["claimed_at"] < older_than
            and row.get("next_attempt_at", now) <= now
        ]
        return [(scope, key) for _, scope, key in sorted(due)[:limit]]

    async def purge(
        self,
        before: datetime,
        *,
        refund_notes_before: datetime | None = None,
        deliveries_before: datetime | None = None,
    ) -> int:
        cutoff = {
            PROVIDER_REFUNDS: before if refund_notes_before is None else refund_notes_before,
            **dict.fromkeys(WEBHOOK_PROVIDERS, deliveries_before or before),
        }
        old = [
            (scope, key)
            for (scope, key), row in self.committed.items()
            if row["claimed_at"] < cutoff.get(scope, before)
        ]
        for k in old:
            del self.committed[k]
        return len(old)

    def commit(self) -> None:
        self.committed.update(self.pending)
        self.pending.clear()


class FakeConversationSession:
    def __init__(self, store: FakeConversationStore, phone: str) -> None:
        self._store = store
        self._phone = phone

    async def load(self) -> ConversationState | None:
        return self._store.states.get(self._phone)

    async def save(self, state: ConversationState, ttl: timedelta) -> bool:
        if self._store.lose_saves:
            return False
        self._store.states[self._phone] = state
        self._store.ttls[self._phone] = ttl
        if state.step is Step.HANDED_OVER:
            self._store.paused_until[self._phone] = self._store.clock.now() + ttl
        else:
            self._store.paused_until.pop(self._phone, None)
        return True


class FakeConversationStore:
    """The conversation store in memory: one session per phone at a time (like the Redis lock)."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.clock = clock or FixedClock(datetime(2026, 12, 1, 15, tzinfo=UTC))
        self.states: dict[str, ConversationState] = {}
        self.ttls: dict[str, timedelta] = {}
        self.paused_until: dict[str, datetime] = {}  # handed over to the owner, until
        self.unavailable = False
        self.lose_saves = False  # as if the session outlived its lock
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def session(self, phone: str) -> AsyncIterator[FakeConversationSession]:
        if self.unavailable:
            raise StorageUnavailable("the conversation store is unavailable")
        async with self._locks.setdefault(phone, asyncio.Lock()):
            yield FakeConversationSession(self, phone)

    async def handovers(self) -> list[Handover]:
        now = self.clock.now()
        live = sorted((until, phone) for phone, until in self.paused_until.items() if until > now)
        return [Handover(phone, until) for until, phone in live]

    async def resume(self, phone: str) -> bool:
        self.states.pop(phone, None)
        return self.paused_until.pop(phone, None) is not None


class FakeUnitOfWork:
    def __init__(self, accommodations: Sequence[Accommodation]) -> None:
        self.accommodations = FakeAccommodations(accommodations)
        self.outbox = FakeOutbox()
        self.contacts = FakeContacts()
        self.undeliverable = FakeUndeliverable()
        self.cabin_texts = FakeCabinTexts()
        self.reservations = FakeReservations(self.accommodations)
        self.schedule = FakeMessageSchedule(self.reservations)

        self.opt_outs = FakeOptOuts()
        self.catalogue = FakeCatalogue(self.accommodations)
        self.audit = FakeAudit()
        self.idempotency = FakeIdempotency()
        self.payments = FakePayments()
        self.ledger = FakeLedger()
        self.credits = FakeGuestCredits(self.reservations)
        self.reservations.open_credit = self.credits.has_open
        self.receipts = FakeReceipts()
        self.ledger.credits_of = lambda code: tuple(
            c for c, h in self.credits.rows.values() if h == code
        )
        self.payments.owed_back = self._owed_back
        self.payments.counted = self._counted
        self.blocks = FakeBlocks(self.reservations)
        self.feeds = FakeFeeds(self.reservations, self.blocks)
        self.accounts = FakeAccounts()
        self.prices = FakePriceStore(self.accommodations)
        self.reservations.elsewhere = (self.blocks.overlapping, self.feeds.overlapping)
        self.metrics = RecordingMetrics()  # not part of a real UoW; handy for the tests
        self.commits = 0

    async def _owed_back(self) -> dict[str, Money]:
        every = {**self.reservations.committed, **self.reservations.pending}
        return {
            code: standing(await self.ledger.load(r, LedgerTerms()), r.status).to_return
            for code, r in every.items()
        }

    async def _counted(self, code: str) -> set[str]:
        found = await self.reservations.get(ReservationCode(code))
        if found is None:
            return set()
        ledger = await self.ledger.load(found, LedgerTerms())
        return {
            p.reference
            for p in ledger.payments
            if p.flag is not Flag.OTHER_CURRENCY and p.amount.currency == ledger.total.currency
        }

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self.reservations.committed.update(self.reservations.pending)
        self.reservations.pending.clear()
        self.outbox.commit()
        self.idempotency.commit()
        self.payments.commit()
        self.ledger.commit()
        self.credits.commit()
        self.receipts.commit()
        self.schedule.committed.update(self.schedule.pending)
        self.schedule.pending.clear()
        self.blocks.commit()
        self.feeds.commit()
        self.accounts.commit()
        self.prices.commit()
        self.commits += 1

    async def rollback(self) -> None:
        self.reservations.pending.clear()
        self.outbox.rollback()
        self.idempotency.pending.clear()
        self.payments.pending.clear()
        self.ledger.pending.clear()
        self.ledger.resolving.clear()
        self.credits.rollback()
        self.receipts.rollback()
        self.schedule.pending.clear()
        self.blocks.rollback()
        self.feeds.rollback()
        self.accounts.rollback()
        self.prices.rollback()

    def __call__(self) -> Self:
        """As ``Transactions``: a unit of work of its own (here, the same one)."""
        return self
