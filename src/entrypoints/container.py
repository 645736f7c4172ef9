"""The only wiring point: one dishka container for the HTTP app and the worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.clock import SystemClock
from adapters.codes import SecretsCodeGenerator
from adapters.postgres.database import make_engine, make_session_factory
from adapters.postgres.probe import PostgresProbe
from adapters.postgres.unit_of_work import SqlUnitOfWork
from adapters.redis.client import RedisProbe, make_redis
from application.availability import CheckAvailability
from application.calendar import GetCalendar
from application.catalogue import GetAccommodation, ListAccommodations
from application.health import CheckHealth
from application.lookup import GetReservation
from application.place_hold import PlaceHold
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.unit_of_work import UnitOfWork
from domain.policy import BookingPolicy
from entrypoints.settings import Settings


class InfrastructureProvider(Provider):
    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)
    clock = provide(SystemClock, provides=Clock)
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
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return make_session_factory(engine)

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[Redis]:
        if settings.redis_url is None:
            raise RuntimeError("REDIS_URL is not resolved; start through `cabanas run`")
        client = make_redis(settings.redis_url)
        yield client
        await client.aclose()

    @provide
    def health(self, engine: AsyncEngine, redis: Redis) -> CheckHealth:
        return CheckHealth(probes=(PostgresProbe(engine), RedisProbe(redis)))


class RequestProvider(Provider):
    scope = Scope.REQUEST

    @provide
    async def session(
        self, factory: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        async with factory() as session:
            yield session

    uow = provide(SqlUnitOfWork, provides=UnitOfWork)
    list_accommodations = provide(ListAccommodations)
    get_accommodation = provide(GetAccommodation)
    check_availability = provide(CheckAvailability)
    get_calendar = provide(GetCalendar)
    place_hold = provide(PlaceHold)
    get_reservation = provide(GetReservation)


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """Build the container; ``overrides`` (e.g. a fixed clock in tests) win over defaults."""
    return make_async_container(
        InfrastructureProvider(),
        RequestProvider(),
        *overrides,
        context={Settings: settings},
    )
