"""The only wiring point: one dishka container for the HTTP app and the worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import cast

import httpx
from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.clock import SystemClock
from adapters.codes import SecretsCodeGenerator
from adapters.ical.fetcher import HttpCalendarFetcher
from adapters.mercadopago.client import MercadoPagoClient, PaymentsDisabled
from adapters.postgres.back_office import SqlBackOfficeReads
from adapters.postgres.backups import SqlBackupLedger
from adapters.postgres.catalogue import CachedCatalogue
from adapters.postgres.database import checkout, make_engine
from adapters.postgres.gauges import CalendarFreshnessProbe
from adapters.postgres.price_rules import CachedPriceRules
from adapters.postgres.probe import PostgresProbe
from adapters.postgres.replica import ReadRouter
from adapters.postgres.stats import SqlStatsReader
from adapters.postgres.unit_of_work import SqlTransactions, SqlUnitOfWork
from adapters.prometheus.metrics import (
    PrometheusBookingMetrics,
    PrometheusCalendarMetrics,
    PrometheusOperationsMetrics,
)
from adapters.python_holidays.source import LibraryHolidays
from adapters.redis.client import RedisProbe, make_redis
from adapters.redis.conversations import RedisConversationStore
from adapters.redis.lock import RedisLock
from adapters.redis.sign_in_throttle import RedisSignInThrottle
from adapters.security.passwords import Argon2Hasher
from adapters.smtp.mailer import LoggingMailer, SmtpMailer
from adapters.smtp.url import parse_smtp_url
from adapters.whatsapp.client import LoggingSender, WhatsAppClient
from application.accounts.invitations import AcceptInvitation, InviteUser, ShowInvitation
from application.accounts.policy import AccountsPolicy
from application.accounts.sessions import CurrentUser, SignIn, SignOut
from application.accounts.users import ChangePassword, ListUsers, RemoveUser
from application.back_office.accommodations import (
    CreateAccommodation,
    GetAnyAccommodation,
    ListAllAccommodations,
    UpdateAccommodation,
)
from application.back_office.blocks import CreateBlock, DeleteBlock, ListBlocks
from application.back_office.calendar_grid import GetCalendarWindow
from application.back_office.manual_booking import CreateManualBooking
from application.back_office.move import MoveReservation
from application.back_office.notes import AddReservationNote
from application.back_office.reservations import (
    CancelHold,
    CancelReservation,
    ConfirmManually,
    GetReservationForAdmin,
    SearchReservations,
)
from application.back_office.stats import GetStats
from application.back_office.timeline import GetReservationTimeline
from application.back_office.today import GetToday
from application.booking.availability import CheckAvailability
from application.booking.catalogue import GetAccommodation, ListAccommodations
from application.booking.lookup import GetReservation
from application.booking.occupancy import GetCalendar
from application.booking.place_hold import PaymentsSetup, PlaceHold
from application.calendar_sync.feeds import (
    DeleteFeed,
    ExportCalendar,
    ImportFeed,
    ListConflicts,
    ListFeeds,
)
from application.calendar_sync.sync_feeds import ApplySnapshot, SyncAllFeeds, SyncFeed
from application.conversation.booking_desk import BookingDesk
from application.conversation.converse import ConversationSetup, Converse
from application.conversation.handovers import ListHandovers, ResumeAssistant
from application.conversation.reservation_desk import ReservationDesk
from application.inbox.deliveries import HandleWhatsAppUpdate, ProcessDelivery, RecordDelivery
from application.messaging.dispatch_outbox import DispatchOutbox, OutboxSetup
from application.messaging.undeliverable import ListUndeliverableMessages
from application.operations.backups import BackupPolicy, BackUpWhenDue, NewestBackup
from application.operations.health import CheckHealth
from application.operations.maintenance import (
    AnonymizeOldGuests,
    ExpireLapsedHolds,
    MeasureOutbox,
    PurgeIdempotencyKeys,
    ReprocessDeliveries,
    RetentionPolicy,
)
from application.payments.admin import (
    ListPaymentsNeedingAttention,
    PaymentsOfReservation,
    RememberResponse,
)
from application.payments.apply_payment import ApplyPayment
from application.payments.payment_link import CreatePaymentLinkNow, ResendPaymentLink
from application.ports.accounts import PasswordHasher, SignInThrottle
from application.ports.back_office import BackOfficeReads
from application.ports.backups import BackupLedger, DatabaseBackup
from application.ports.calendars import CalendarFetcher, SyncLock
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.conversations import ConversationStore
from application.ports.holidays import HolidaySource
from application.ports.mail import Mailer
from application.ports.messaging import MessageSender
from application.ports.metrics import BookingMetrics, CalendarMetrics, OperationsMetrics
from application.ports.payments import PaymentGateway
from application.ports.pricing import PriceRulesRepository
from application.ports.stats import StatsReader
from application.ports.unit_of_work import ReadOnlyUnitOfWork, Transactions, UnitOfWork
from domain.accounts import SessionLifetime, ThrottleLimits
from domain.booking.hold_limits import HoldLimits
from domain.booking.policy import BookingPolicy
from domain.calendar_sync.external_calendar import ReleaseGuard
from entrypoints.cli.backup import PgDumpBackup
from entrypoints.http.urls import api_url
from entrypoints.settings import Settings

# Health reports are reused for at most this long (see CheckHealth).
HEALTH_CACHE_SECONDS = 1.0
# Outbound calls from the worker may take longer than the in-request payment link.
WORKER_HTTP_TIMEOUT_SECONDS = 10.0
# A sync pass holds its lock at most this long (a crashed holder frees it by expiry).
ICAL_LOCK_SECONDS = 600


def whatsapp_configured(settings: Settings) -> bool:
    return (
        settings.whatsapp_enabled
        and settings.whatsapp_token is not None
        and bool(settings.whatsapp_token.reveal())
        and bool(settings.whatsapp_phone_number_id)
    )


class InfrastructureProvider(Provider):
    scope = Scope.APP
    settings = from_context(provides=Settings, scope=Scope.APP)
    clock = provide(SystemClock, provides=Clock)
    booking_metrics = provide(PrometheusBookingMetrics, provides=BookingMetrics)
    operations_metrics = provide(PrometheusOperationsMetrics, provides=OperationsMetrics)
    calendar_metrics = provide(PrometheusCalendarMetrics, provides=CalendarMetrics)
    codes = provide(SecretsCodeGenerator, provides=CodeGenerator)

    @provide
    def policy(self, settings: Settings) -> BookingPolicy:
        return settings.booking_policy

    @provide
    def hold_limits(self, settings: Settings) -> HoldLimits:
        return settings.hold_limits

    @provide
    def release_guard(self, settings: Settings) -> ReleaseGuard:
        return settings.release_guard

    @provide
    def accounts_policy(self, settings: Settings) -> AccountsPolicy:
        return AccountsPolicy(
            owner_emails=settings.console_owner_emails,
            lifetime=SessionLifetime(
                idle=timedelta(hours=settings.console_session_idle_hours),
                absolute=timedelta(days=settings.console_session_absolute_days),
            ),
            throttle=ThrottleLimits(
                per_account=settings.console_sign_in_failures_per_account,
                per_address=settings.console_sign_in_failures_per_address,
                window=timedelta(minutes=settings.console_sign_in_window_minutes),
            ),
        )

    @provide
    def password_hasher(self) -> PasswordHasher:
        return Argon2Hasher()

    @provide
    def sign_in_throttle(self, redis: Redis) -> SignInThrottle:
        return RedisSignInThrottle(redis)

    @provide
    def backup_policy(self, settings: Settings) -> BackupPolicy:
        return BackupPolicy(every=timedelta(hours=settings.backup_every_hours))

    @provide
    def database_backup(self, settings: Settings) -> DatabaseBackup:
        if settings.database_url is None:
            raise RuntimeError("backups need DATABASE_URL (resolved_services sets it)")
        upload = settings.backup_upload_command
        return PgDumpBackup(
            settings.database_url,
            Path(settings.backup_dir),
            settings.backup_keep,
            upload.reveal() if upload else None,
            settings.pg_bin_dir,
        )

    @provide
    def backup_ledger(self, engine: AsyncEngine) -> BackupLedger:
        return SqlBackupLedger(engine)

    @provide
    def transactions(self, engine: AsyncEngine) -> Transactions:
        return SqlTransactions(engine)

    @provide
    def payments_setup(self, settings: Settings) -> PaymentsSetup:
        return PaymentsSetup(
            enabled=settings.payments_enabled, link_timeout_s=settings.mp_timeout_seconds
        )

    @provide
    def retention(self, settings: Settings) -> RetentionPolicy:
        return RetentionPolicy(pii_days=settings.pii_retention_days)

    @provide
    def outbox_setup(self, settings: Settings) -> OutboxSetup:
        return OutboxSetup(
            admin_phone=settings.admin_whatsapp_number,
            owner_email=settings.owner_email,
            console_base_url=settings.public_base,
        )

    @provide
    def conversation_setup(self) -> ConversationSetup:
        return ConversationSetup()

    @provide
    def conversations(self, redis: Redis) -> ConversationStore:
        return RedisConversationStore(redis)

    @provide
    async def payment_gateway(self, settings: Settings) -> AsyncIterator[PaymentGateway]:
        if not settings.payments_enabled:
            yield PaymentsDisabled()
            return
        assert settings.mp_access_token is not None
        async with httpx.AsyncClient(
            base_url=settings.mp_api_base_url,
            timeout=httpx.Timeout(settings.mp_timeout_seconds),
            follow_redirects=False,
        ) as client:
            yield MercadoPagoClient(
                client,
                settings.mp_access_token.reveal(),
                notification_url=api_url(settings.public_base, "webhooks", "mercadopago"),
                return_url=_absolute(settings, settings.payment_return_url),
            )

    @provide
    async def message_sender(self, settings: Settings) -> AsyncIterator[MessageSender]:
        if not whatsapp_configured(settings):
            yield LoggingSender(show_text=settings.environment == "development")
            return
        assert settings.whatsapp_token is not None
        assert settings.whatsapp_phone_number_id
        async with httpx.AsyncClient(
            base_url=settings.whatsapp_api_base_url,
            timeout=httpx.Timeout(WORKER_HTTP_TIMEOUT_SECONDS),
            follow_redirects=False,
        ) as client:
            yield WhatsAppClient(
                client,
                settings.whatsapp_token.reveal(),
                settings.whatsapp_phone_number_id,
                settings.whatsapp_api_version,
            )

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

    @provide
    async def calendar_fetcher(self, settings: Settings) -> AsyncIterator[CalendarFetcher]:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(WORKER_HTTP_TIMEOUT_SECONDS),
            follow_redirects=False,  # each hop is re-checked by the fetcher
            trust_env=False,  # a proxy would connect to the name, not the checked address
        ) as client:
            yield HttpCalendarFetcher(
                client,
                allow_private=settings.ical_allow_private_urls,
                allow_http=settings.environment != "production",
            )

    @provide
    def sync_lock(self, redis: Redis) -> SyncLock:
        return RedisLock(redis, "ical:sync:lock", ICAL_LOCK_SECONDS)

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not resolved; start through `cabanas run`")
        engine = make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            statement_timeout_s=settings.db_statement_timeout_seconds,
        )
        yield engine
        await engine.dispose()

    @provide
    async def catalogue(self, settings: Settings) -> AsyncIterator[Catalogue]:
        # Its own single connection: a request already holding a pooled connection may ask the
        # catalogue to refresh, and must never wait for a second one from the same pool.
        assert settings.database_url is not None
        engine = make_engine(settings.database_url, pool_size=1)
        replica = _replica_engine(settings, pool_size=1)
        yield CachedCatalogue(ReadRouter(engine, replica), settings.catalogue_cache_seconds)
        await engine.dispose()
        if replica is not None:
            await replica.dispose()

    @provide
    async def price_rules(self, settings: Settings) -> AsyncIterator[PriceRulesRepository]:
        # Its own connection, for the catalogue's reason (a refresh inside a request).
        assert settings.database_url is not None
        engine = make_engine(settings.database_url, pool_size=1)
        replica = _replica_engine(settings, pool_size=1)
        reads = ReadRouter(engine, replica)
        yield CachedPriceRules(reads, engine, settings.catalogue_cache_seconds)
        await engine.dispose()
        if replica is not None:
            await replica.dispose()

    @provide
    def holidays(self) -> HolidaySource:
        return LibraryHolidays()

    @provide
    async def reads(self, settings: Settings, engine: AsyncEngine) -> AsyncIterator[ReadRouter]:
        replica = _replica_engine(settings, pool_size=settings.db_pool_size)
        yield ReadRouter(engine, replica)
        if replica is not None:
            await replica.dispose()

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[Redis]:
        if settings.redis_url is None:
            raise RuntimeError("REDIS_URL is not resolved; start through `cabanas run`")
        client = make_redis(settings.redis_url)
        yield client
        await client.aclose()

    @provide
    async def health(
        self, settings: Settings, redis: Redis, clock: Clock
    ) -> AsyncIterator[CheckHealth]:
        # The probe has a connection of its own: a saturated request pool is not a database
        # outage, and must not turn the health check red.
        assert settings.database_url is not None
        probe_engine = make_engine(settings.database_url, pool_size=1)
        yield CheckHealth(
            probes=(
                PostgresProbe(probe_engine),
                RedisProbe(redis),
                CalendarFreshnessProbe(probe_engine, settings.ical_stale_minutes, clock),
            ),
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

    @provide
    async def read_uow(self, reads: ReadRouter) -> AsyncIterator[ReadOnlyUnitOfWork]:
        async with reads.connection() as conn:
            # The protocol's repositories are declared as plain attributes (invariant for
            # mypy); the SQL ones are the same shape.
            yield cast(ReadOnlyUnitOfWork, SqlUnitOfWork(conn))

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
    place_hold = provide(PlaceHold)
    get_reservation = provide(GetReservation)
    search_reservations = provide(SearchReservations)
    admin_reservation = provide(GetReservationForAdmin)
    cancel_reservation = provide(CancelReservation)
    cancel_hold = provide(CancelHold)
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
    apply_payment = provide(ApplyPayment)
    record_delivery = provide(RecordDelivery)
    process_delivery = provide(ProcessDelivery)
    whatsapp_update = provide(HandleWhatsAppUpdate)
    booking_desk = provide(BookingDesk)
    reservation_desk = provide(ReservationDesk)
    converse = provide(Converse)
    list_handovers = provide(ListHandovers)
    resume_assistant = provide(ResumeAssistant)
    dispatch_outbox = provide(DispatchOutbox)
    payment_link_now = provide(CreatePaymentLinkNow)
    apply_snapshot = provide(ApplySnapshot)
    sync_feed = provide(SyncFeed)
    sync_all_feeds = provide(SyncAllFeeds)
    import_feed = provide(ImportFeed)
    list_feeds = provide(ListFeeds)
    delete_feed = provide(DeleteFeed)
    list_conflicts = provide(ListConflicts)
    export_calendar = provide(ExportCalendar)
    expire_holds = provide(ExpireLapsedHolds)
    purge_keys = provide(PurgeIdempotencyKeys)
    anonymize_guests = provide(AnonymizeOldGuests)
    reprocess = provide(ReprocessDeliveries)
    measure_outbox = provide(MeasureOutbox)
    back_up_when_due = provide(BackUpWhenDue)
    newest_backup = provide(NewestBackup)
    remember_response = provide(RememberResponse)
    payments_needing_attention = provide(ListPaymentsNeedingAttention)
    payments_of_reservation = provide(PaymentsOfReservation)
    undeliverable_messages = provide(ListUndeliverableMessages)
    invite_user = provide(InviteUser)
    show_invitation = provide(ShowInvitation)
    accept_invitation = provide(AcceptInvitation)
    sign_in = provide(SignIn)
    sign_out = provide(SignOut)
    current_user = provide(CurrentUser)
    list_users = provide(ListUsers)
    remove_user = provide(RemoveUser)
    change_password = provide(ChangePassword)
    back_office_reads = provide(SqlBackOfficeReads, provides=BackOfficeReads)
    get_today = provide(GetToday)
    get_calendar_window = provide(GetCalendarWindow)
    move_reservation = provide(MoveReservation)
    add_reservation_note = provide(AddReservationNote)
    create_manual_booking = provide(CreateManualBooking)
    reservation_timeline = provide(GetReservationTimeline)
    resend_payment_link = provide(ResendPaymentLink)


def _absolute(settings: Settings, url: str) -> str:
    """A path is joined to PUBLIC_BASE_URL; an absolute URL is kept as given."""
    return url if "://" in url else settings.public_base + url


def _replica_engine(settings: Settings, *, pool_size: int) -> AsyncEngine | None:
    if not settings.database_read_url:
        return None
    # A short connect timeout: an unreachable replica falls back to the primary quickly.
    return make_engine(settings.database_read_url, pool_size=pool_size, connect_timeout=1)


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """Build the container; ``overrides`` (e.g. a fixed clock in tests) win over defaults."""
    return make_async_container(
        InfrastructureProvider(),
        RequestProvider(),
        *overrides,
        context={Settings: settings},
    )
