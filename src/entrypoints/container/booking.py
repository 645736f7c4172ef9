"""Booking: the catalogue, quotes and availability, holds, and the online booking request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from dishka import Provider, Scope, provide

from adapters.postgres.catalogue import CachedCatalogue
from adapters.postgres.database import make_engine
from adapters.postgres.price_rules import CachedPriceRules
from adapters.postgres.replica import ReadRouter
from adapters.python_holidays.source import LibraryHolidays
from application.booking.availability import CheckAvailability
from application.booking.book_online import BookOnline
from application.booking.catalogue import GetAccommodation, ListAccommodations
from application.booking.lookup import GetReservation
from application.booking.occupancy import GetCalendar
from application.booking.own_bookings import FindOwnBookings
from application.booking.payment_link import CreatePaymentLinkNow
from application.booking.place_hold import PaymentsSetup, PlaceHold
from application.booking.stay_terms import GetCancellationPolicies, GetStayTerms
from application.messaging.dispatch_outbox import DispatchOutbox, OutboxSetup
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.holidays import HolidaySource
from application.ports.ledger import LedgerTerms
from application.ports.mail import Mailer
from application.ports.messaging import MessageSender
from application.ports.metrics import BookingMetrics, OperationsMetrics
from application.ports.payments import PaymentGateway
from application.ports.pricing import PriceRulesRepository
from application.ports.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.booking.hold_limits import HoldLimits
from domain.booking.policy import BookingPolicy
from entrypoints.container.infrastructure import replica_engine
from entrypoints.settings import Settings


@dataclass(frozen=True, slots=True)
class BookingParts:
    """A booking's process-wide collaborators, resolved once: a request then asks the container
    for this, its unit of work and its connection, not for each of them (every lookup from a
    request's scope into the process's takes the container's lock). Built from the container's
    own providers, so an override (a fixed ``Clock`` in tests) reaches every use case."""

    clock: Clock
    codes: CodeGenerator
    policy: BookingPolicy
    catalogue: Catalogue
    metrics: BookingMetrics
    payments: PaymentsSetup
    limits: HoldLimits
    price_rules: PriceRulesRepository
    holidays: HolidaySource
    terms: LedgerTerms
    # The payment link's job, sent at once (``CreatePaymentLinkNow`` → ``DispatchOutbox``).
    sender: MessageSender
    gateway: PaymentGateway
    operations_metrics: OperationsMetrics
    outbox_setup: OutboxSetup
    mailer: Mailer

    def place_hold(self, uow: UnitOfWork) -> PlaceHold:
        return PlaceHold(
            uow,
            self.clock,
            self.codes,
            self.policy,
            self.catalogue,
            self.metrics,
            self.payments,
            self.limits,
            self.price_rules,
            self.holidays,
            self.terms,
        )

    def book_online(self, uow: UnitOfWork) -> BookOnline:
        dispatch = DispatchOutbox(
            uow,
            self.sender,
            self.gateway,
            self.clock,
            self.operations_metrics,
            self.outbox_setup,
            self.mailer,
        )
        return BookOnline(
            self.place_hold(uow),
            CreatePaymentLinkNow(dispatch, uow, self.payments),
            GetReservation(uow, self.clock),
            uow,
        )


class BookingProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> BookingPolicy:
        return settings.booking_policy

    @provide(scope=Scope.APP)
    def hold_limits(self, settings: Settings) -> HoldLimits:
        return settings.hold_limits

    @provide(scope=Scope.APP)
    def payments_setup(self, settings: Settings) -> PaymentsSetup:
        return PaymentsSetup(
            enabled=settings.payments_enabled, link_timeout_s=settings.mp_timeout_seconds
        )

    @provide(scope=Scope.APP)
    async def catalogue(self, settings: Settings) -> AsyncIterator[Catalogue]:
        # Its own single connection: a request already holding a pooled connection may ask the
        # catalogue to refresh, and must never wait for a second one from the same pool.
        assert settings.database_url is not None
        engine = make_engine(settings.database_url, pool_size=1)
        replica = replica_engine(settings, pool_size=1)
        yield CachedCatalogue(ReadRouter(engine, replica), settings.catalogue_cache_seconds)
        await engine.dispose()
        if replica is not None:
            await replica.dispose()

    @provide(scope=Scope.APP)
    async def price_rules(
        self, settings: Settings, clock: Clock
    ) -> AsyncIterator[PriceRulesRepository]:
        # Its own connection, for the catalogue's reason (a refresh inside a request).
        assert settings.database_url is not None
        engine = make_engine(settings.database_url, pool_size=1)
        replica = replica_engine(settings, pool_size=1)
        reads = ReadRouter(engine, replica)
        yield CachedPriceRules(reads, engine, settings.catalogue_cache_seconds, clock)
        await engine.dispose()
        if replica is not None:
            await replica.dispose()

    @provide(scope=Scope.APP)
    def holidays(self) -> HolidaySource:
        return LibraryHolidays()

    list_accommodations = provide(ListAccommodations)
    get_accommodation = provide(GetAccommodation)

    @provide(scope=Scope.APP)
    def parts(
        self,
        clock: Clock,
        codes: CodeGenerator,
        policy: BookingPolicy,
        catalogue: Catalogue,
        metrics: BookingMetrics,
        payments: PaymentsSetup,
        limits: HoldLimits,
        price_rules: PriceRulesRepository,
        holidays: HolidaySource,
        terms: LedgerTerms,
        sender: MessageSender,
        gateway: PaymentGateway,
        operations_metrics: OperationsMetrics,
        outbox_setup: OutboxSetup,
        mailer: Mailer,
    ) -> BookingParts:
        return BookingParts(
            clock,
            codes,
            policy,
            catalogue,
            metrics,
            payments,
            limits,
            price_rules,
            holidays,
            terms,
            sender,
            gateway,
            operations_metrics,
            outbox_setup,
            mailer,
        )

    @provide
    def check_availability(self, uow: ReadOnlyUnitOfWork, p: BookingParts) -> CheckAvailability:
        return CheckAvailability(uow, p.clock, p.policy, p.catalogue, p.price_rules, p.holidays)

    get_calendar = provide(GetCalendar)
    get_reservation = provide(GetReservation)
    find_own_bookings = provide(FindOwnBookings)
    get_stay_terms = provide(GetStayTerms)
    get_cancellation_policies = provide(GetCancellationPolicies)

    @provide
    def place_hold(self, uow: UnitOfWork, parts: BookingParts) -> PlaceHold:
        return parts.place_hold(uow)

    payment_link_now = provide(CreatePaymentLinkNow)

    @provide
    def book_online(self, uow: UnitOfWork, parts: BookingParts) -> BookOnline:
        return parts.book_online(uow)
