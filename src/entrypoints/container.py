"""The only wiring point: one dishka container for the HTTP app and the worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.clock import SystemClock
from adapters.codes import SecretsCodeGenerator
from adapters.postgres.catalogue import CachedCatalogue
from adapters.postgres.database import checkout, make_engine
from adapters.postgres.probe import PostgresProbe
from adapters.postgres.stats import SqlStatsReader
from adapters.postgres.unit_of_work import SqlUnitOfWork
from adapters.prometheus.metrics import PrometheusBookingMetrics
from adapters.redis.client import RedisProbe, make_redis
from application.admin_accommodations import (
    CreateAccommodation,
    GetAnyAccommodation,
    ListAllAccommodations,
    UpdateAccommodation,
)
from application.admin_blocks import CreateBlock, DeleteBlock, ListBlocks
from application.admin_reservations import (
    CancelReservation,
    ConfirmManually,
    GetReservationForAdmin,
    SearchReservations,
)
from application.admin_stats import GetStats
from application.availability import CheckAvailability
from application.calendar import GetCalendar
from application.catalogue import GetAccommodation, ListAccommodations
from application.health import CheckHealth
from application.lookup import GetReservation
from application.place_hold import PlaceHold
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.metrics import BookingMetrics
from application.ports.stats import StatsReader
from application.ports.unit_of_work import UnitOfWork
from domain.policy import BookingPolicy
from entrypoints.settings import Settings

# Health reports are reused for at most this long (see CheckHealth).
HEALTH_CACHE_SECONDS = 1.0


class InfrastructureProvider(Provider):
    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)
    clock = provide(SystemClock, provides=Clock)
    booking_metrics = provide(PrometheusBookingMetrics, provides=BookingMetrics)
    codes = provide(SecretsCodeGenerator, provides=CodeGenerator)

    @provide
    def policy(self, settings: Settings) -> BookingPolicy:
        return settings.booking_policy

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not resolved; start through `cabanas run`")
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        yield engine
        await engine.dispose()

    @provide
    async def catalogue(self, settings: Settings) -> AsyncIterator[Catalogue]:
        # Its own single connection: a request already holding a pooled connection may ask the
        # catalogue to refresh, and must never wait for a second one from the same pool.
        assert settings.database_url is not None
        engine = make_engine(settings.database_url, pool_size=1)
        yield CachedCatalogue(engine, settings.catalogue_cache_seconds)
        await engine.dispose()

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[Redis]:
        if settings.redis_url is None:
            raise RuntimeError("REDIS_URL is not resolved; start through `cabanas run`")
        client = make_redis(settings.redis_url)
        yield client
        await client.aclose()

    @provide
    async def health(self, settings: Settings, redis: Redis) -> AsyncIterator[CheckHealth]:
        # The probe has a connection of its own: a saturated request pool is not a database
        # outage, and must not turn the health check red.
        assert settings.database_url is not None
        probe_engine = make_engine(settings.database_url, pool_size=1)
        yield CheckHealth(
            probes=(PostgresProbe(probe_engine), RedisProbe(redis)),
            cache_s=HEALTH_CACHE_SECONDS,
        )
        await probe_engine.dispose()


class RequestProvider(Provider):
    scope = Scope.REQUEST

    @provide
    async def connection(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        # Checked out only by requests that use the database, returned when they finish.
        async with checkout(engine) as conn:
            yield conn

    uow = provide(SqlUnitOfWork, provides=UnitOfWork)
    list_accommodations = provide(ListAccommodations)
    get_accommodation = provide(GetAccommodation)
    check_availability = provide(CheckAvailability)
    get_calendar = provide(GetCalendar)
    place_hold = provide(PlaceHold)
    get_reservation = provide(GetReservation)
    search_reservations = provide(SearchReservations)
    admin_reservation = provide(GetReservationForAdmin)
    cancel_reservation = provide(CancelReservation)
    confirm_manually = provide(ConfirmManually)
    list_all_accommodations = provide(ListAllAccommodations)
    get_any_accommodation = provide(GetAnyAccommodation)
    create_accommodation = provide(CreateAccommodation)
    update_accommodation = provide(UpdateAccommodation)
    create_block = provide(CreateBlock)
    stats_reader = provide(SqlStatsReader, provides=StatsReader)
    get_stats = provide(GetStats)
    delete_block = provide(DeleteBlock)
    list_blocks = provide(ListBlocks)


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """Build the container; ``overrides`` (e.g. a fixed clock in tests) win over defaults."""
    return make_async_container(
        InfrastructureProvider(),
        RequestProvider(),
        *overrides,
        context={Settings: settings},
    )
