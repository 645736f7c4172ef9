"""What every capability stands on: settings, the clock, metrics, codes, the database and Redis
(process-wide), and a request's connection and unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, from_context, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.clock import SystemClock
from adapters.codes import SecretsCodeGenerator
from adapters.postgres.database import make_config, make_engine
from adapters.postgres.replica import ReadRouter
from adapters.postgres.request_connection import RequestConnection, StatementPool
from adapters.postgres.unit_of_work import SqlTransactions, SqlUnitOfWork
from adapters.prometheus.metrics import (
    PrometheusBookingMetrics,
    PrometheusCalendarMetrics,
    PrometheusOperationsMetrics,
)
from adapters.redis.client import make_redis
from adapters.redis.sign_in_throttle import RedisSignInThrottle
from adapters.security.passwords import Argon2Hasher
from adapters.smtp.mailer import LoggingMailer, SmtpMailer
from adapters.smtp.url import parse_smtp_url
from application.ports.accounts import PasswordHasher, SignInThrottle
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.mail import Mailer
from application.ports.metrics import BookingMetrics, CalendarMetrics, OperationsMetrics
from application.ports.unit_of_work import ReadOnlyUnitOfWork, Transactions, UnitOfWork
from entrypoints.settings import Settings

# Outbound calls from the worker (messages, calendars) may take longer than the in-request
# payment link.
WORKER_HTTP_TIMEOUT_SECONDS = 10.0


class InfrastructureProvider(Provider):
    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)
    clock = provide(SystemClock, provides=Clock)
    booking_metrics = provide(PrometheusBookingMetrics, provides=BookingMetrics)
    operations_metrics = provide(PrometheusOperationsMetrics, provides=OperationsMetrics)
    calendar_metrics = provide(PrometheusCalendarMetrics, provides=CalendarMetrics)
    codes = provide(SecretsCodeGenerator, provides=CodeGenerator)

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not resolved; start through `cabanas run`")
        engine = make_engine(
            settings.database_url,
            pool_size=pool_sizes(settings.db_pool_size)[0],
            statement_timeout_s=settings.db_statement_timeout_seconds,
        )
        yield engine
        await engine.dispose()

    @provide
    async def statements(self, settings: Settings) -> AsyncIterator[StatementPool]:
        # Single statements of requests (bookings, availability, lookups) on the primary.
        pool = make_config(
            settings.database_url or "",
            pool_size=pool_sizes(settings.db_pool_size)[1],
            statement_timeout_s=settings.db_statement_timeout_seconds,
        ).create_statement_pool()
        yield pool
        await pool.close()

    @provide
    async def reads(
        self, settings: Settings, engine: AsyncEngine, statements: StatementPool
    ) -> AsyncIterator[ReadRouter]:
        replica = replica_engine(settings, pool_size=settings.db_pool_size)
        yield ReadRouter(engine, replica, statements=statements)
        if replica is not None:
            await replica.dispose()

    @provide
    def transactions(self, engine: AsyncEngine, clock: Clock) -> Transactions:
        return SqlTransactions(engine, clock)

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[Redis]:
        if settings.redis_url is None:
            raise RuntimeError("REDIS_URL is not resolved; start through `cabanas run`")
        client = make_redis(settings.redis_url)
        yield client
        await client.aclose()

    @provide(scope=Scope.REQUEST)
    async def connection(
        self, engine: AsyncEngine, statements: StatementPool
    ) -> AsyncIterator[AsyncConnection]:
        # Checked out on first use (a statement standing alone takes one from the statement
        # pool instead), returned when the request finishes.
        conn = RequestConnection(engine, statements)
        try:
            yield conn
        finally:
            await conn.close()

    @provide(scope=Scope.REQUEST)
    def uow(self, conn: AsyncConnection, clock: Clock) -> UnitOfWork:
        return SqlUnitOfWork(conn, clock)

    @provide(scope=Scope.REQUEST)
    async def read_uow(self, reads: ReadRouter, clock: Clock) -> AsyncIterator[ReadOnlyUnitOfWork]:
        async with reads.connection() as conn:
            yield SqlUnitOfWork(conn, clock)

    @provide
    def mailer(self, settings: Settings, clock: Clock) -> Mailer:
        if not settings.email_enabled or not settings.mail_from:
            return LoggingMailer(show_text=settings.environment == "development")
        assert settings.smtp_url is not None
        return SmtpMailer(
            parse_smtp_url(settings.smtp_url.reveal()),
            settings.mail_from,
            clock,
            settings.smtp_timeout_seconds,
        )

    @provide(scope=Scope.APP)
    def password_hasher(self) -> PasswordHasher:
        return Argon2Hasher()

    @provide(scope=Scope.APP)
    def sign_in_throttle(self, redis: Redis) -> SignInThrottle:
        return RedisSignInThrottle(redis)


def pool_sizes(total: int) -> tuple[int, int]:
    """``DB_POOL_SIZE`` (connections per process) split between SQLAlchemy's pool, for units of
    work that need it, and the statement pool, for single statements (bookings, availability,
    lookups): half each, at least one each."""
    statements = max(1, total // 2)
    return max(1, total - statements), statements


def replica_engine(settings: Settings, *, pool_size: int) -> AsyncEngine | None:
    if not settings.database_read_url:
        return None
    # A short connect timeout: an unreachable replica falls back to the primary quickly.
    return make_engine(settings.database_read_url, pool_size=pool_size, connect_timeout=1)
