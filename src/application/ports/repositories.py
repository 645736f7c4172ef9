from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from domain.booking.accommodation import Accommodation
from domain.booking.block import Block
from domain.booking.hold_limits import HoldLimit, HoldQuota
from domain.booking.reservation import Channel, Reservation, ReservationStatus
from domain.codes import ReservationCode
from domain.stay import Stay


class AccommodationRepository(Protocol):
    async def list(self, *, only_active: bool = True) -> Sequence[Accommodation]: ...

    async def get(self, accommodation_id: int) -> Accommodation | None: ...

    async def add(self, accommodation: Accommodation) -> int:
        """Store a new accommodation (its ``id`` is ignored) and return the new id.
        Raises ``DuplicateName`` if the name is taken."""
        ...

    async def update(self, accommodation: Accommodation) -> bool:
        """False if there is no accommodation with that id. Raises ``DuplicateName``."""
        ...


@dataclass(frozen=True, slots=True)
class ReservationFilter:
    status: ReservationStatus | None = None
    accommodation_id: int | None = None
    channel: Channel | None = None
    # Reservations whose stay overlaps [stay_from, stay_to) (either bound optional).
    stay_from: date | None = None
    stay_to: date | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ReservationPage:
    items: Sequence[Reservation]
    # How many match, counted up to ``COUNT_CAP``: with more, ``total`` is the cap and
    # ``total_capped`` is set (a page shows "10000+"; counting a whole table on every page
    # read grew with every year of history).
    total: int
    total_capped: bool = False


COUNT_CAP = 10_000


class BlockRepository(Protocol):
    async def add(self, block: Block, now: datetime) -> bool:
        """False when the nights overlap an active booking or block (lapsed holds don't count)."""
        ...

    async def remove(self, code: ReservationCode, now: datetime) -> Block | None:
        """Deactivate an active block; None if there is none with that code."""
        ...

    async def get(self, code: ReservationCode) -> Block | None:
        """The active block with that code; None if there is none (or it was removed)."""
        ...

    async def list_active(
        self, accommodation_id: int | None, ending_after: date
    ) -> Sequence[Block]: ...


class HoldOutcome(StrEnum):
    PLACED = "placed"
    # Placed, and the quota's phone has an open guest credit (``CreditRepository.any_open``).
    PLACED_WITH_CREDIT = "placed_with_credit"
    TAKEN = "taken"  # an active reservation of the same accommodation overlaps
    # Taken by a row committed while the insert's statement ran (it waited for it): perhaps a
    # copy of this very request sent at the same moment, which the statement could not see.
    TAKEN_MEANWHILE = "taken_meanwhile"
    # The accommodation, or the price rules' version, no longer is what the hold was priced from.
    STALE = "stale"
    RETRIED = "retried"  # taken by a live hold this same request (its retry_key) placed before


@dataclass(frozen=True, slots=True)
class QuotaCheck:
    """The live-hold limits a hold must fit in (``HoldLimits``), checked in its own statement."""

    quota: HoldQuota
    per_phone: int
    per_client: int


@dataclass(frozen=True, slots=True)
class QuotaRefused:
    """No hold: the phone or client already has its limit of live holds; the first of them
    runs out at ``retry_at``."""

    limit: HoldLimit
    retry_at: datetime


class PaidOutcome(StrEnum):
    CONFIRMED = "confirmed"
    TAKEN = "taken"  # reinstating a lapsed hold: someone else has the nights now
    RACED = "raced"  # the row was no longer in the expected status


class MoveOutcome(StrEnum):
    MOVED = "moved"
    TAKEN = "taken"  # the exclusion constraint refused: another active row has those nights
    RACED = "raced"  # the row no longer has the status, cabin or dates it was read with


class ReservationRepository(Protocol):
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
        """Insert an active reservation unless its nights are taken or ``basis`` (the
        accommodation it was validated and priced against) is out of date.

        The database's exclusion constraint decides ``TAKEN``. Holds lapsed at ``now`` that
        overlap are marked expired so they never block. Raises ``CodeCollision`` if the code
        is already used.

        ``alone``: the hold is everything this unit of work writes, so it needs no transaction
        around it (each statement is atomic by itself): it is written at once, without the
        BEGIN/COMMIT round trips. If a transaction is already open, it joins it all the same.

        ``retry_key``: stored with the hold; when the nights are taken by a live hold with the
        same key on exactly this cabin and stay, the outcome is ``RETRIED`` (``retried_hold``
        then loads it).

        ``quota``: the hold is stored with the quota's keys, and only if the phone and the
        client each have fewer live holds than their limit — counted under a per-key lock in
        the same statement, so concurrent requests cannot both take the last place. A refusal
        is ``QuotaRefused``; a retry of a request whose hold is live is still ``RETRIED``.
        Placed with a quota whose phone has an open guest credit: ``PLACED_WITH_CREDIT``
        (asked in the same statement: the booking needs no read of its own to know).

        ``rules_version``: the price rules' version the hold was priced under
        (``PriceRulesRepository.loaded_version``); if the stored version differs, nothing is
        written and the outcome is ``STALE``, as for a changed accommodation.
        """
        ...

    async def retried_hold(
        self, accommodation_id: int, stay: Stay, retry_key: str, now: datetime
    ) -> Reservation | None:
        """The live hold placed on exactly this cabin and stay with this ``retry_key``."""
        ...

    async def get(self, code: ReservationCode, *, for_update: bool = False) -> Reservation | None:
        """``for_update`` locks the row until the transaction ends (payments serialize on it)."""
        ...

    async def save_paid(self, reservation: Reservation, previous: ReservationStatus) -> PaidOutcome:
        """Persist ``confirm_payment``. Reinstating an expired hold re-enters the exclusion
        constraint: ``TAKEN`` if the nights went to someone else (the transaction stays
        usable)."""
        ...

    async def save_move(
        self, reservation: Reservation, moved_from: Reservation, now: datetime
    ) -> MoveOutcome:
        """Persist ``Reservation.move_to``: the row keeps its code, status and amounts, and
        takes the new cabin and dates only if it still has ``moved_from``'s status, cabin and
        dates. The exclusion constraint decides ``TAKEN`` (holds lapsed at ``now`` never
        block); the transaction stays usable either way."""
        ...

    async def save_notes(self, code: ReservationCode, notes: str, now: datetime) -> bool:
        """Replace a booking's notes; False if there is no such booking."""
        ...

    async def set_payment_link(
        self, code: ReservationCode, preference_id: str, url: str
    ) -> None: ...

    async def anonymize_ended_before(self, day: date, now: datetime, limit: int) -> int:
        """Replace guest name, phone, email and notes of bookings whose stay ended before
        ``day`` (amounts, dates and codes stay: the financial record); how many rows."""
        ...

    async def expire_lapsed(self, now: datetime, limit: int) -> list[Reservation]:
        """Record as expired the holds whose time ran out (oldest first, at most ``limit``)."""
        ...

    async def search(self, criteria: ReservationFilter) -> ReservationPage:
        """Newest first (by creation)."""
        ...

    async def save_status(self, reservation: Reservation, previous: ReservationStatus) -> bool:
        """Persist a transition; False if the row is no longer in ``previous`` (a concurrent
        change won), in which case nothing is written."""
        ...

    async def occupied(
        self, window: Stay, now: datetime, accommodation_id: int | None = None
    ) -> dict[int, list[Stay]]:
        """Stays of active reservations (lapsed holds excluded) overlapping ``window``."""
        ...

    async def occupied_and_rules_version(
        self, window: Stay, now: datetime
    ) -> tuple[dict[int, list[Stay]], int | None]:
        """``occupied`` for every cabin, and the price rules' version as of the same read (it
        goes up with every change to any cabin's rules; None when not kept): one round trip
        tells availability both what is taken and whether its cached rules are current."""
        ...

    async def occupied_ranges(
        self, accommodation_id: int, start: date, end: date, now: datetime
    ) -> Sequence[Stay]: ...

    async def latest_for_phone(self, phone: str, since: datetime) -> Reservation | None:
        """The newest booking made with exactly this guest phone and created at or after
        ``since`` (the window keeps the lookup cheap: the phone is not indexed)."""
        ...

    async def recent_for_phone(
        self, phone: str, since: datetime, limit: int
    ) -> Sequence[Reservation]:
        """``latest_for_phone``'s bookings, newest first, at most ``limit`` of them."""
        ...
