"""Booking: the catalogue, quotes and availability, holds, and the online booking request."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
from application.booking.payment_link import CreatePaymentLinkNow
from application.booking.place_hold import PaymentsSetup, PlaceHold
from application.booking.stay_terms import GetStayTerms
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.holidays import HolidaySource
from application.ports.ledger import LedgerTerms
from application.ports.metrics import BookingMetrics
from application.ports.pricing import PriceRulesRepository
from application.ports.unit_of_work import ReadOnlyUnitOfWork, UnitOfWork
from domain.booking.hold_limits import HoldLimits
from domain.booking.policy import BookingPolicy
from entrypoints.container.infrastructure import replica_engine
from entrypoints.settings import Settings


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
    async def price_rules(self, settings: Settings) -> AsyncIterator[PriceRulesRepository]:
        # Its own connection, for the catalogue's reason (a refresh inside a request).
        assert settings.database_url is not None
        engine = make_engine(settings.database_url, pool_size=1)
        replica = replica_engine(settings, pool_size=1)
        reads = ReadRouter(engine, replica)
        yield CachedPriceRules(reads, engine, settings.catalogue_cache_seconds)
        await engine.dispose()
        if replica is not None:
            await replica.dispose()

    @provide(scope=Scope.APP)
    def holidays(self) -> HolidaySource:
        return LibraryHolidays()

    list_accommodations = provide(ListAccommodations)
    get_accommodation = provide(GetAccommodation)

    @provide
    def check_availability(
        self,
        uow: ReadOnlyUnitOfWork,
        clock: Clock,
        policy: BookingPolicy,
        catalogue: Catalogue,
        price_rules: PriceRulesRepository,
        holidays: HolidaySource,
    ) -> CheckAvailability:
        return CheckAvailability(uow, clock, policy, catalogue, price_rules, holidays)

    get_calendar = provide(GetCalendar)
    get_reservation = provide(GetReservation)
    get_stay_terms = provide(GetStayTerms)

    @provide
    def place_hold(
        self,
        uow: UnitOfWork,
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
    ) -> PlaceHold:
        return PlaceHold(
            uow,
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
        )

    payment_link_now = provide(CreatePaymentLinkNow)
    book_online = provide(BookOnline)
