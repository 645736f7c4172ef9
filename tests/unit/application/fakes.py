"""In-memory implementations of every port, for the application tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

from application.errors import CodeCollision, StorageUnavailable, TransientStorageError
from application.ports.audit import AuditEntry
from application.ports.idempotency import StoredRequest
from application.ports.outbox import OutboxKind, OutboxMessage, PaymentLinkJob
from application.ports.payments import CheckoutRequest, PaymentLink, PaymentRecord
from application.ports.repositories import (
    HoldOutcome,
    MoveOutcome,
    PaidOutcome,
    QuotaCheck,
    QuotaRefused,
)
from application.ports.undeliverable import UndeliverableMessage
from domain.booking.accommodation import Accommodation
from domain.booking.hold_limits import HoldLimit, HoldQuota
from domain.booking.reservation import Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.conversation.state import ConversationState
from domain.payments.payment import Attention, Payment
from domain.stay import Stay

M = TypeVar("M")


class RecordingMetrics:
    def __init__(self) -> None:
        self.placed: list[str] = []
        self.conflicts: list[str] = []
        self.limited: list[tuple[str, str]] = []
        self.confirmed = 0
        self.attention: list[str] = []

    def payment_confirmed(self) -> None:
        self.confirmed += 1

    def payment_attention(self, reason: str) -> None:
        self.attention.append(reason)

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

    def _all(self) -> dict[str, Reservation]:
        return {**self.committed, **self.pending}

    def _blocking(self, acc_id: int, window: Stay, now: datetime) -> list[Reservation]:
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
    ) -> HoldOutcome | QuotaRefused:
        self.alone_calls.append(alone)
        if self.accommodations.items.get(basis.id) != basis:
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
        if refused is not None or self._blocking(
            reservation.accommodation_id, reservation.stay, now
        ):
            if retry_key is not None and await self.retried_hold(
                reservation.accommodation_id, reservation.stay, retry_key, now
            ):
                return HoldOutcome.RETRIED
            return refused or HoldOutcome.TAKEN
        self.pending[reservation.code.value] = reservation
        if retry_key is not None:
            self.retry_keys[reservation.code.value] = retry_key
        if quota is not None:
            self.quota_keys[reservation.code.value] = quota.quota
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
            for r in self._blocking(reservation.accommodation_id, reservation.stay, now)
            if r.code != reservation.code
        ]
        if others:
            return PaidOutcome.TAKEN
        self.pending[reservation.code.value] = reservation
        return PaidOutcome.CONFIRMED

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
            for r in self._blocking(reservation.accommodation_id, reservation.stay, now)
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

    async def occupied(
        self, window: Stay, now: datetime, accommodation_id: int | None = None
    ) -> dict[int, list[Stay]]:
        taken: dict[int, list[Stay]] = {}
        for r in self._all().values():
            if accommodation_id is not None and r.accommodation_id != accommodation_id:
                continue
            if r in self._blocking(r.accommodation_id, window, now):
                taken.setdefault(r.accommodation_id, []).append(r.stay)
        return taken

    async def occupied_ranges(
        self, accommodation_id: int, start: date, end: date, now: datetime
    ) -> Sequence[Stay]:
        found = await self.occupied(Stay(start, end), now, accommodation_id)
        return sorted(found.get(accommodation_id, []))


class FakeOutbox:
    """Rows added in the open transaction are kept only if it commits."""

    def __init__(self) -> None:
        self.committed: list[tuple[OutboxMessage, str | None]] = []
        self.pending: list[tuple[OutboxMessage, str | None]] = []
        self.deliveries: list[tuple[str, str]] = []
        self.crash_on: type[OutboxMessage] | None = None  # a message type whose next put fails

    async def put(
        self,
        message: OutboxMessage,
        now: datetime,
        *,
        dedupe_key: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        if dedupe_key and any(k == dedupe_key for _, k in self.committed + self.pending):
            return None
        if self.crash_on is not None and isinstance(message, self.crash_on):
            self.crash_on = None
            raise RuntimeError("the connection dropped")  # the process dies here, say
        self.pending.append((message, dedupe_key))
        return len(self.committed) + len(self.pending)

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

    async def record_delivery(self, provider_message_id: str, status: str) -> bool:
        self.deliveries.append((provider_message_id, status))
        return True


class FakePayments:
    """Payments by id; what an open transaction saves is kept only on commit."""

    def __init__(self) -> None:
        self.committed: dict[str, PaymentRecord] = {}
        self.pending: dict[str, PaymentRecord] = {}

    async def get(self, payment_id: str) -> PaymentRecord | None:
        return self.pending.get(payment_id) or self.committed.get(payment_id)

    async def save(
        self,
        payment: Payment,
        now: datetime,
        *,
        attention: Attention | None,
        attention_reason: str | None,
    ) -> None:
        before = await self.get(payment.id)
        self.pending[payment.id] = PaymentRecord(
            payment=payment,
            reservation_code=payment.external_reference,
            attention=attention or (before.attention if before else None),
            attention_reason=attention_reason
            if attention
            else (before.attention_reason if before else None),
            first_seen_at=before.first_seen_at if before else now,
            updated_at=now,
        )

    async def needing_attention(self, limit: int) -> list[PaymentRecord]:
        every = {**self.committed, **self.pending}.values()
        return [r for r in every if r.attention is not None][:limit]

    async def for_reservation(self, code: str) -> list[PaymentRecord]:
        every = {**self.committed, **self.pending}.values()
        return [r for r in every if r.reservation_code == code]

    def commit(self) -> None:
        self.committed.update(self.pending)
        self.pending.clear()


class FakeGateway:
    """The provider's view of payments, by id (re-fetched on every notification)."""

    def __init__(self) -> None:
        self.payments: dict[str, Payment] = {}
        self.fetches: list[str] = []

    async def create_checkout(self, request: CheckoutRequest) -> PaymentLink:
        return PaymentLink(f"pref-{request.code.value}", f"https://pay.example/{request.code}")

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        self.fetches.append(payment_id)
        return self.payments.get(payment_id)


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

    async def record(self, message: UndeliverableMessage) -> bool:
        return self.items.setdefault(message.group, message) is message

    async def list_open(self, limit: int) -> Sequence[UndeliverableMessage]:
        return sorted(self.items.values(), key=lambda m: m.failed_at, reverse=True)[:limit]


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


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
            return StoredRequest(prior["fingerprint"], prior["code"], None, None)
        self.pending[(scope, key)] = {
            "fingerprint": fingerprint,
            "payload": dict(payload) if payload is not None else None,
            "code": None,
            "processed": False,
            "attempts": 0,
        }
        return None

    def _row(self, scope: str, key: str) -> dict[str, Any] | None:
        row = self.pending.get((scope, key)) or self.committed.get((scope, key))
        if row is not None and (scope, key) not in self.pending:
            row = self.pending[(scope, key)] = dict(row)  # changed in this transaction
        return row

    async def attach_reservation(self, scope: str, key: str, code: str) -> None:
        if row := self._row(scope, key):
            row["code"] = code

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
        return True


class FakeConversationStore:
    """The conversation store in memory: one session per phone at a time (like the Redis lock)."""

    def __init__(self) -> None:
        self.states: dict[str, ConversationState] = {}
        self.ttls: dict[str, timedelta] = {}
        self.unavailable = False
        self.lose_saves = False  # as if the session outlived its lock
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def session(self, phone: str) -> AsyncIterator[FakeConversationSession]:
        if self.unavailable:
            raise StorageUnavailable("the conversation store is unavailable")
        async with self._locks.setdefault(phone, asyncio.Lock()):
            yield FakeConversationSession(self, phone)


class FakeUnitOfWork:
    def __init__(self, accommodations: Sequence[Accommodation]) -> None:
        self.accommodations = FakeAccommodations(accommodations)
        self.outbox = FakeOutbox()
        self.contacts = FakeContacts()
        self.undeliverable = FakeUndeliverable()
        self.reservations = FakeReservations(self.accommodations)
        self.catalogue = FakeCatalogue(self.accommodations)
        self.audit = FakeAudit()
        self.idempotency = FakeIdempotency()
        self.payments = FakePayments()
        self.metrics = RecordingMetrics()  # not part of a real UoW; handy for the tests
        self.commits = 0

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
        self.outbox.committed += self.outbox.pending
        self.outbox.pending.clear()
        self.idempotency.commit()
        self.payments.commit()
        self.commits += 1

    async def rollback(self) -> None:
        self.reservations.pending.clear()
        self.outbox.pending.clear()
        self.idempotency.pending.clear()
        self.payments.pending.clear()
