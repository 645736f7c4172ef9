from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol, Self

from application.ports.accounts import AccountRepository
from application.ports.audit import AuditLog
from application.ports.cabin_texts import CabinTextsRepository
from application.ports.calendars import FeedRepository
from application.ports.contacts import ContactWindows
from application.ports.credits import GuestCreditRepository
from application.ports.idempotency import IdempotencyKeys
from application.ports.ledger import LedgerRepository
from application.ports.opt_outs import OptOuts
from application.ports.outbox import Outbox
from application.ports.payments import PaymentRepository
from application.ports.pricing import PriceRulesStore
from application.ports.receipts import ReceiptRepository
from application.ports.repositories import (
    AccommodationRepository,
    BlockRepository,
    ReservationRepository,
)
from application.ports.schedule import MessageSchedule
from application.ports.undeliverable import UndeliverableMessages


class UnitOfWork(Protocol):
    """One transaction. Nothing is kept unless ``commit()`` is called; leaving rolls back.

    The repositories are read-only members, so any implementation whose repositories conform
    (the SQL one, the tests' in-memory one) conforms as a whole."""

    @property
    def accommodations(self) -> AccommodationRepository: ...
    @property
    def reservations(self) -> ReservationRepository: ...
    @property
    def blocks(self) -> BlockRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def payments(self) -> PaymentRepository: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def idempotency(self) -> IdempotencyKeys: ...
    @property
    def feeds(self) -> FeedRepository: ...
    @property
    def contacts(self) -> ContactWindows: ...
    @property
    def undeliverable(self) -> UndeliverableMessages: ...
    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def prices(self) -> PriceRulesStore: ...
    @property
    def ledger(self) -> LedgerRepository: ...
    @property
    def credits(self) -> GuestCreditRepository: ...
    @property
    def receipts(self) -> ReceiptRepository: ...
    @property
    def cabin_texts(self) -> CabinTextsRepository: ...
    @property
    def schedule(self) -> MessageSchedule: ...
    @property
    def opt_outs(self) -> OptOuts: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class ReadOnlyUnitOfWork(UnitOfWork, Protocol):
    """A unit of work for read-only use cases (availability, calendars, the iCal export): on
    the read replica when there is one. Never commit through it; never decide a booking with
    what it reads (a replica may lag)."""


class Transactions(Protocol):
    """Opens a unit of work on a connection of its own, returned to the pool when the block
    ends. For use cases that wait on the network between transactions (a calendar fetch): a
    request-scoped ``UnitOfWork`` would keep its pooled connection for the whole wait."""

    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]: ...
