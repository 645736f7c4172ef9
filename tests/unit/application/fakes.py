"""In-memory implementations of every port, for the application tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from application.errors import CodeCollision, TransientStorageError
from application.ports.repositories import HoldOutcome
from domain.accommodation import Accommodation
from domain.codes import ReservationCode
from domain.reservation import Reservation
from domain.stay import Stay


class RecordingMetrics:
    def __init__(self) -> None:
        self.placed: list[str] = []
        self.conflicts: list[str] = []

    def hold_placed(self, channel: str) -> None:
        self.placed.append(channel)

    def stay_conflict(self, channel: str) -> None:
        self.conflicts.append(channel)


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
        self, reservation: Reservation, now: datetime, basis: Accommodation
    ) -> HoldOutcome:
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
        if self._blocking(reservation.accommodation_id, reservation.stay, now):
            return HoldOutcome.TAKEN
        self.pending[reservation.code.value] = reservation
        return HoldOutcome.PLACED

    async def get(self, code: ReservationCode, *, for_update: bool = False) -> Reservation | None:
        return self._all().get(code.value)

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
        self.committed: list[tuple[str, dict[str, Any], str | None]] = []
        self.pending: list[tuple[str, dict[str, Any], str | None]] = []

    async def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        trace_id: str | None = None,
    ) -> int | None:
        if dedupe_key and any(k == dedupe_key for *_, k in self.committed + self.pending):
            return None
        self.pending.append((kind, dict(payload), dedupe_key))
        return len(self.committed) + len(self.pending)


class FakeUnitOfWork:
    def __init__(self, accommodations: Sequence[Accommodation]) -> None:
        self.accommodations = FakeAccommodations(accommodations)
        self.outbox = FakeOutbox()
        self.reservations = FakeReservations(self.accommodations)
        self.catalogue = FakeCatalogue(self.accommodations)
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
        self.commits += 1

    async def rollback(self) -> None:
        self.reservations.pending.clear()
        self.outbox.pending.clear()
