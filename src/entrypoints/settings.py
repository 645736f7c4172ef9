"""One typed settings object, read from the environment (field name upper-cased)."""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from domain.booking.hold_limits import (
    DEFAULT_MAX_HOLD_NIGHTS,
    DEFAULT_PER_CLIENT,
    DEFAULT_PER_PHONE,
    HoldLimits,
)
from domain.booking.policy import (
    DEFAULT_DEPOSIT_PERCENT,
    DEFAULT_HOLD_MINUTES,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_MAX_NIGHTS,
    DEFAULT_TRANSFER_HOLD_HOURS,
    BookingPolicy,
)
from domain.calendar_sync.external_calendar import ReleaseGuard
from domain.errors import DomainError
from domain.messaging.cabin_texts import clock_time
from domain.messaging.schedule import MAX_DAYS_AHEAD, ScheduleRules
from domain.payments.ledger import DEFAULT_BALANCE_DUE_DAYS
from domain.payments.receipts import DEFAULT_MAX_BYTES as DEFAULT_RECEIPT_MAX_BYTES

# `make run` invites this owner on first start when ADMIN_ALLOWED_EMAILS is empty (development).
DEVELOPMENT_OWNER_EMAIL = "duena@cabanas.local"

Environment = Literal["development", "staging", "production"]
LogLevel = Literal["debug", "info", "warning", "error"]
Positive = Annotated[int, msgspec.Meta(ge=1)]


class SettingsError(ValueError):
    pass


class Secret:
    """A secret from the environment: never shown by repr/str (so never logged by accident)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))


def _dec_hook(kind: type, value: object) -> object:
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    raise NotImplementedError(f"cannot read {kind!r} from the environment")


_LIST_FIELDS = frozenset({"admin_allowed_emails", "cors_allowed_origins"})
_LOWERCASE_FIELDS = frozenset({"environment", "log_level", "log_format"})


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    # Unset → embedded PostgreSQL / Redis under DATA_DIR (development and tests only).
    database_url: str | None = None
    # Optional read replica for read-only queries (catalogue, availability, calendars, iCal
    # export); the primary is used when unset or unreachable. Bookings always use the primary.
    database_read_url: str | None = None
    redis_url: str | None = None
    data_dir: str = ".data"
    db_pool_size: Positive = 10
    # A client's keep-alive connection is closed after this many answers (0 = never), so the
    # next one lands on whichever worker is free to accept it: a proxy's few long-lived
    # connections otherwise stay on the worker that happened to accept them (nginx's
    # keepalive_requests; its default was 100 until 1.19.10).
    keepalive_requests: Annotated[int, msgspec.Meta(ge=0)] = 100
    # A request's whole body must arrive within this many seconds of its headers, or the client
    # gets 408 and the connection is closed (a stalled client would otherwise hold one of the
    # machine's request slots for as long as it liked).
    request_body_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 15.0
    # PostgreSQL rolls back a statement after this long (a lock wait after half of it); the
    # driver gives up 5 s later.
    db_statement_timeout_seconds: Annotated[float, msgspec.Meta(ge=0.5, le=600)] = 10.0
    log_level: LogLevel = "info"
    # JSON lines always; "console" (human-readable) is honoured in development only.
    log_format: Literal["json", "console"] = "json"
    hold_minutes: Positive = DEFAULT_HOLD_MINUTES
    deposit_percent: Decimal = DEFAULT_DEPOSIT_PERCENT  # 0..100, checked by BookingPolicy
    transfer_hold_hours: Annotated[int, msgspec.Meta(ge=1, le=168)] = DEFAULT_TRANSFER_HOLD_HOURS
    # The largest transfer receipt (photo or PDF) a guest may send over WhatsApp, in bytes.
    receipt_max_bytes: Annotated[int, msgspec.Meta(ge=64 * 1024, le=64 * 1024 * 1024)] = (
        DEFAULT_RECEIPT_MAX_BYTES
    )
    # The balance is due this many days before check-in (at check-in for later bookings).
    balance_due_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = DEFAULT_BALANCE_DUE_DAYS
    max_nights: Positive = DEFAULT_MAX_NIGHTS
    booking_horizon_days: Positive = DEFAULT_HORIZON_DAYS
    seed_sample_data: bool = True
    # How stale the cached list of cabins may be for reads (0 = no cache).
    catalogue_cache_seconds: Annotated[float, msgspec.Meta(ge=0, le=300)] = 2.0

    # Security (see entrypoints/production.py for what production requires).
    jwt_secret: Secret | None = None
    jwt_max_ttl_hours: Annotated[int, msgspec.Meta(ge=1, le=24)] = 12
    admin_allowed_emails: list[str] = msgspec.field(default_factory=list)
    ics_salt: Secret | None = None
    cors_allowed_origins: list[str] = msgspec.field(default_factory=list)
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 100  # per client IP; 0 = off
    # Live (unpaid) holds a guest may have at once, across all cabins: per phone number (API and
    # WhatsApp) and per client address (API); and the longest stay a guest may hold without the
    # owner. 0 = off (production refuses it). The owner's own bookings are not limited.
    max_live_holds_per_phone: Annotated[int, msgspec.Meta(ge=0, le=1000)] = DEFAULT_PER_PHONE
    max_live_holds_per_client: Annotated[int, msgspec.Meta(ge=0, le=1000)] = DEFAULT_PER_CLIENT
    max_hold_nights: Annotated[int, msgspec.Meta(ge=0, le=365)] = DEFAULT_MAX_HOLD_NIGHTS
    # 1 = every request counted in Redis (exact across machines). N > 1 lets each process
    # count N hits locally between pushes: faster, but may exceed the limit by (N-1) per process.
    rate_limit_local_allowance: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    # Webhook posts whose signature fails, per client address and minute, before the next ones
    # are answered 429 (0 = never). Correctly signed posts are never limited.
    webhook_signature_failures_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 10
    # Behind a trusted proxy (Fly), the client address comes from TRUSTED_PROXY_HEADER, else the
    # last X-Forwarded-For hop. Off → the TCP peer address; proxy headers are ignored.
    trusted_proxy: bool = False
    trusted_proxy_header: str = "Fly-Client-IP"
    hsts_max_age: Annotated[int, msgspec.Meta(ge=0)] = 31_536_000
    force_https: bool = False  # redirect X-Forwarded-Proto: http to https (on in production)
    # The interactive docs (/api/v1/docs) and the OpenAPI schema; unset → on except in production.
    api_docs: bool | None = None

    # The owner's console (/panel/): sessions' idle and absolute lifetimes, sign-in throttle.
    console_session_idle_hours: Annotated[float, msgspec.Meta(gt=0, le=720)] = 12.0
    console_session_absolute_days: Annotated[float, msgspec.Meta(gt=0, le=90)] = 7.0
    # Failed sign-ins per account and per client address within the window, before refusing.
    console_sign_in_failures_per_account: Positive = 5
    console_sign_in_failures_per_address: Positive = 20
    console_sign_in_window_minutes: Positive = 15

    # Integrations (production requires them unless disabled).
    # Where this API is reachable from outside: builds Mercado Pago's notification_url.
    public_base_url: str | None = None
    mercadopago_enabled: bool = True
    mp_access_token: Secret | None = None
    mp_webhook_secret: Secret | None = None
    mp_api_base_url: str = "https://api.mercadopago.com"
    # How long POST /reservations waits for the payment link before answering without it.
    mp_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=30)] = 3.0
    mp_webhook_tolerance_seconds: Annotated[int, msgspec.Meta(ge=1)] = 600
    # Where Mercado Pago sends the guest back ({code} = reservation code; a path is joined
    # to PUBLIC_BASE_URL): by default the guest's reservation page.
    payment_return_url: str = "/r/{code}"
    whatsapp_enabled: bool = True
    whatsapp_token: Secret | None = None
    whatsapp_app_secret: Secret | None = None
    whatsapp_verify_token: Secret | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v23.0"
    # The owner's WhatsApp number for alerts (refunds needed, collisions); unset = logs only.
    admin_whatsapp_number: str | None = None
    # E-mail, a second channel beside WhatsApp (guests who gave an address, and the owner):
    # smtp+starttls://host:587 or smtps://host:465, with user:password@ before the host (plain
    # smtp://host:25 only outside production). Unset: e-mails are logged, not sent.
    smtp_url: Secret | None = None
    # The From of every e-mail, e.g. "Cabañas del Lago <reservas@example.com>".
    mail_from: str | None = None
    # The owner's address for alerts (as on WhatsApp); unset = no alert e-mails.
    owner_email: str | None = None
    smtp_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=120)] = 20.0
    # Scheduled messages (`cabanas sync`; README "Scheduled messages"), Argentine time: the
    # pre-arrival information this many days before check-in, the balance reminder this many;
    # guest messages go from GUEST_MESSAGES_TIME until 22:00, the check-out reminder the evening
    # before from CHECK_OUT_REMINDER_TIME; the owner's summary every day at DAILY_SUMMARY_TIME.
    pre_arrival_days: Annotated[int, msgspec.Meta(ge=0, le=MAX_DAYS_AHEAD)] = 2
    balance_reminder_days: Annotated[int, msgspec.Meta(ge=1, le=MAX_DAYS_AHEAD)] = 7
    guest_messages_time: str = "10:00"
    check_out_reminder_time: str = "19:00"
    daily_summary_time: str = "08:00"
    # The worker (`cabanas sync`): seconds between passes over the outbox.
    outbox_poll_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 5.0
    # Calendar sync (`cabanas sync`): seconds between passes (with ±10 % jitter).
    ical_sync_interval: Annotated[int, msgspec.Meta(ge=30, le=86_400)] = 300
    # Health turns "degraded" when the stalest enabled feed is older than this.
    ical_stale_minutes: Annotated[int, msgspec.Meta(ge=1)] = 20
    # Each health probe (database, Redis, feeds) counts as failed past this many seconds: short,
    # so a hanging database turns /healthz 503 before the load balancer's own check gives up.
    health_probe_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=30)] = 0.15
    # Local testing only (refused in production): fetch feeds from private/loopback addresses.
    ical_allow_private_urls: bool = False
    # The release guard: a feed answer that empties the feed, or frees more than this fraction
    # of its future nights at once, is held until seen again on this many more fetches over at
    # least this many hours (or an admin confirms it).
    ical_max_release_fraction: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.5
    ical_release_confirmations: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 3
    ical_release_min_hours: Annotated[float, msgspec.Meta(ge=0, le=720)] = 1.0
    # Guest name/phone/email of bookings are erased this many days after the stay ended
    # (docs/privacy.md); codes, dates and amounts are kept.
    pii_retention_days: Annotated[int, msgspec.Meta(ge=30, le=3650)] = 365
    # The sync process serves its own /metrics here (Fly's [[metrics]] for the sync group).
    sync_metrics_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 9100
    # 0: the API serves /metrics on its own port (development). Set (production: 9100, like the
    # sync process), the API has no /metrics and `entrypoints.asgi:create_metrics` serves it on
    # this port, which fly.toml publishes to no one (only [[metrics]] and the private network).
    metrics_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 0
    # Where the metrics servers listen: "::" on Fly, whose private network is IPv6.
    metrics_host: str = "127.0.0.1"
    # Backups (docs/adr/0002-daily-backups-in-the-sync-process.md): the sync process takes one
    # when the newest recorded backup is this many hours old (0 = it takes none; production
    # requires one). `cabanas backup` writes to BACKUP_DIR and keeps the BACKUP_KEEP newest.
    backup_every_hours: Annotated[float, msgspec.Meta(ge=0, le=168)] = 0.0
    backup_dir: str = "backups"
    backup_keep: Annotated[int, msgspec.Meta(ge=1, le=365)] = 7
    # Run once for the dump and once for its .sha256, each path as the last argument (or in
    # place of a "{file}" argument); split like a shell would, never run by one.
    backup_upload_command: Secret | None = None
    # Run after each upload (no file argument), e.g. "rclone delete --min-age 7d tigris:<bucket>/":
    # the uploaded copies older than the retention go (docs/privacy.md promises 7 days).
    backup_prune_command: Secret | None = None
    # Where `cabanas backup`/`restore` and the sync process find pg_dump, pg_restore and psql
    # (the image sets it to its PostgreSQL 18 client); unset: the bundled client, then PATH.
    pg_bin_dir: str | None = None
    # `cabanas run` (development) also runs the worker's duties in-process, so a local setup
    # sends messages and expires holds without a second command. Production runs `cabanas sync`.
    embedded_worker: bool = True
    # Set: every process on the machine writes its samples here and /metrics reads them all
    # (several uvicorn workers). prometheus_client reads the same variable itself.
    prometheus_multiproc_dir: str | None = None

    @property
    def release_guard(self) -> ReleaseGuard:
        return ReleaseGuard(
            max_fraction=self.ical_max_release_fraction,
            confirmations=self.ical_release_confirmations,
            min_hours=self.ical_release_min_hours,
        )

    @property
    def schedule_rules(self) -> ScheduleRules:
        return ScheduleRules(
            pre_arrival_days=self.pre_arrival_days,
            balance_reminder_days=self.balance_reminder_days,
            balance_due_days=self.balance_due_days,
            guest_messages_at=clock_time(self.guest_messages_time, "GUEST_MESSAGES_TIME"),
            check_out_reminder_at=clock_time(
                self.check_out_reminder_time, "CHECK_OUT_REMINDER_TIME"
            ),
            daily_summary_at=clock_time(self.daily_summary_time, "DAILY_SUMMARY_TIME"),
        )

    @property
    def email_enabled(self) -> bool:
        return self.smtp_url is not None and bool(self.smtp_url.reveal())

    @property
    def console_owner_emails(self) -> frozenset[str]:
        """Who may be an owner: ADMIN_ALLOWED_EMAILS; in development, when that is empty, the
        owner `make run` invites on first start."""
        listed = frozenset(e.strip().lower() for e in self.admin_allowed_emails if e.strip())
        if not listed and self.environment == "development":
            return frozenset({DEVELOPMENT_OWNER_EMAIL})
        return listed

    @property
    def serves_api_docs(self) -> bool:
        return self.environment != "production" if self.api_docs is None else self.api_docs

    @property
    def hold_limits(self) -> HoldLimits:
        return HoldLimits(
            per_phone=self.max_live_holds_per_phone,
            per_client=self.max_live_holds_per_client,
            max_nights=self.max_hold_nights,
        )

    @property
    def booking_policy(self) -> BookingPolicy:
        return BookingPolicy(
            max_nights=self.max_nights,
            horizon_days=self.booking_horizon_days,
            hold_minutes=self.hold_minutes,
            deposit_percent=self.deposit_percent,
            transfer_hold_hours=self.transfer_hold_hours,
        )

    @property
    def public_base(self) -> str:
        """PUBLIC_BASE_URL without its trailing slash, else this server's own address."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def payments_enabled(self) -> bool:
        """Mercado Pago is in use: MERCADOPAGO_ENABLED with the token that creates payment
        links and fetches payments. Off, bookings are held without a link and the webhook
        acts on no notification (the one rule for the container and the webhook alike)."""
        token = self.mp_access_token
        return self.mercadopago_enabled and token is not None and bool(token.reveal())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        settings = _read(cls, environ)
        try:
            settings.booking_policy  # noqa: B018 - validates the policy values together
        except DomainError as err:
            raise SettingsError(f"invalid booking policy: {err.message}") from None
        try:
            settings.schedule_rules  # noqa: B018 - validates the schedule's values together
        except DomainError as err:
            raise SettingsError(f"invalid message schedule: {err.message}") from None
        if settings.smtp_url is not None and settings.smtp_url.reveal():
            from adapters.smtp.url import parse_smtp_url

            try:
                parse_smtp_url(settings.smtp_url.reveal())
            except ValueError as err:
                raise SettingsError(f"invalid setting: {err}") from None
        return settings


class OperatorSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What `cabanas preflight` reads: it runs on an operator's machine against a deployment,
    so none of the service's own settings (nor a bad value among them) concern it."""

    admin_token: Secret | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OperatorSettings:
        return _read(cls, environ)


def _read[S: msgspec.Struct](cls: type[S], environ: Mapping[str, str] | None) -> S:
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for name in cls.__struct_fields__:
        value = env.get(name.upper())
        if value is None or value.strip() == "":
            continue
        if name in _LIST_FIELDS:
            raw[name] = [item.strip() for item in value.split(",") if item.strip()]
        elif name in _LOWERCASE_FIELDS:
            raw[name] = value.strip().lower()
        else:
            raw[name] = value
    try:
        return msgspec.convert(raw, cls, strict=False, dec_hook=_dec_hook)
    except msgspec.ValidationError as err:
        raise SettingsError(_describe(cls, str(err), env)) from None


def _describe(cls: type[msgspec.Struct], message: str, env: Mapping[str, str]) -> str:
    """msgspec says "Expected `int`, got `str` - at `$.backup_keep`"; operators know the
    variable as BACKUP_KEEP and want to see what they gave (never a secret's value)."""
    problem, marker, rest = message.partition(" - at `$.")
    if not marker:
        return f"invalid setting: {message}"
    field = rest.partition("`")[0].partition("[")[0]
    variable = field.upper()
    annotation = str(cls.__annotations__.get(field, ""))
    if "Secret" in annotation or variable not in env:
        return f"invalid setting {variable}: {problem}"
    return f"invalid setting {variable}={env[variable].strip()!r}: {problem}"
