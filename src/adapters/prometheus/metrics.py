"""Prometheus instruments. Names follow the conventions: base units, `_total` for counters.

Processes: uvicorn runs several workers per machine, so when PROMETHEUS_MULTIPROC_DIR is set
(the production launcher sets it) every worker writes its samples there and /metrics
aggregates them (prometheus_client's multiprocess mode); without it, one process, one registry.

Series at 0 from the start: a labelled counter has no series until its first event, and that
series is then born at 1 (or more). ``increase()``/``rate()`` over a series that starts at its
value see no increase, so an alert like ``increase(ical_conflicts_total[15m]) > 0`` would miss
the first conflict of each source, and again after every restart. ``start_known_series_at_zero``
creates every label combination the code can write, at 0, when a process starts.
"""

from __future__ import annotations

import functools

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

from application.ports.idempotency import WEBHOOK_PROVIDERS
from application.ports.metrics import PAYMENT_ATTENTION_REASONS
from application.ports.outbox import OUTBOX_KINDS
from domain.booking.hold_limits import HoldLimit
from domain.booking.reservation import Channel
from domain.calendar_sync.external_calendar import ExternalSource

# Around the SLOs: 200 ms (healthz p95), 2 s (load p95), 3 s (booking p95), with room above
# every threshold an alert uses.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "http_requests", "HTTP requests by route template", ["method", "route", "status"]
)
RESERVATIONS_CREATED = Counter("reservations_created", "Holds placed, by channel", ["channel"])
DOUBLE_BOOKING_REJECTIONS = Counter(
    "double_booking_rejections", "Bookings refused because the nights were taken", ["channel"]
)
HOLD_LIMIT_REFUSALS = Counter(
    "hold_limit_refusals",
    "Holds refused by a hold limit (MAX_LIVE_HOLDS_PER_PHONE/_PER_CLIENT, MAX_HOLD_NIGHTS)",
    ["limit", "channel"],
)
RATE_LIMITED = Counter("rate_limited_requests", "Requests refused by the rate limit")
RATE_LIMITER_FAILURES = Counter(
    "rate_limiter_failures", "Rate-limit checks that failed open (Redis unavailable)"
)
ACTIVE_RESERVATIONS = Gauge(
    "active_reservations",
    "Live holds and confirmed bookings whose stay has not ended",
    ["status"],
    multiprocess_mode="mostrecent",
)


WEBHOOK_SIGNATURE_FAILURES = Counter(
    "webhook_signature_failures",
    "Webhook deliveries refused: missing, invalid or stale signature",
    ["provider"],
)
WEBHOOK_DELIVERIES = Counter(
    "webhook_deliveries",
    "Signed webhook deliveries accepted, by whether they were new or duplicates",
    ["provider", "outcome"],
)
PAYMENTS_CONFIRMED = Counter("payments_confirmed", "Reservations confirmed by a paid deposit")
PAYMENT_ATTENTION = Counter(
    "payment_attention", "Payments that need a person (refund, short amount…)", ["reason"]
)
OUTBOX_SENT = Counter("outbox_sent", "Outbox rows sent", ["kind"])
OUTBOX_FAILURES = Counter(
    "outbox_failures", "Outbox send failures (permanent ones are given up)", ["kind", "outcome"]
)
OUTBOX_RETRY = "retry"
OUTBOX_GIVEN_UP = "given_up"  # the OutboxMessagesGivenUp alert selects this outcome
HOLDS_EXPIRED = Counter("holds_expired", "Holds recorded as expired by the worker")
OUTBOX_PENDING = Gauge(
    "outbox_pending_messages", "Outbox rows waiting to be sent", multiprocess_mode="mostrecent"
)


ICAL_SYNC_RUNS = Counter(
    "ical_sync_runs", "Calendar feed syncs by source and outcome", ["source", "outcome"]
)
ICAL_CONFLICTS = Counter(
    "ical_conflicts", "Cross-channel collisions: a channel sold nights already taken", ["source"]
)
ICAL_LAST_SYNC_AGE = Gauge(
    "ical_last_sync_age_minutes",
    "Minutes since the stalest enabled feed last synced successfully (0 with no feeds)",
    multiprocess_mode="mostrecent",
)

ICAL_HELD_RELEASES = Gauge(
    "ical_held_releases",
    "Feeds whose last answer would free many nights at once, held until confirmed, per source",
    ["source"],
    multiprocess_mode="mostrecent",
)

# From the database at every API scrape (backup_runs), so it stays true whatever happened to
# the sync process that takes them; 0 when none is recorded. BackupTooOld reads it.
BACKUP_LAST_SUCCESS = Gauge(
    "backup_last_success_timestamp_seconds",
    "Unix time of the newest recorded database backup (0: none recorded)",
    multiprocess_mode="mostrecent",
)


# From the health probes, set at every healthz answer and every scrape: the RedisDown alert
# reads it (Redis down only degrades healthz, so Fly keeps routing and nothing else would tell).
DEPENDENCY_UP = Gauge(
    "dependency_up",
    "1 if the dependency passed its last health probe, else 0",
    ["dependency"],
    multiprocess_mode="mostrecent",
)


def record_dependencies(results: dict[str, bool]) -> None:
    for name, ok in results.items():
        DEPENDENCY_UP.labels(dependency=name).set(1 if ok else 0)


class PrometheusCalendarMetrics:
    def sync_run(self, source: str, outcome: str) -> None:
        ICAL_SYNC_RUNS.labels(source=source, outcome=outcome).inc()

    def conflict(self, source: str) -> None:
        ICAL_CONFLICTS.labels(source=source).inc()


class PrometheusOperationsMetrics:
    def payment_confirmed(self) -> None:
        PAYMENTS_CONFIRMED.inc()

    def payment_attention(self, reason: str) -> None:
        PAYMENT_ATTENTION.labels(reason=reason).inc()

    def outbox_sent(self, kind: str) -> None:
        OUTBOX_SENT.labels(kind=kind).inc()

    def outbox_failed(self, kind: str, *, permanent: bool) -> None:
        outcome = OUTBOX_GIVEN_UP if permanent else OUTBOX_RETRY
        OUTBOX_FAILURES.labels(kind=kind, outcome=outcome).inc()

    def holds_expired(self, count: int) -> None:
        HOLDS_EXPIRED.inc(count)

    def outbox_pending(self, count: int) -> None:
        OUTBOX_PENDING.set(count)


class PrometheusBookingMetrics:
    def hold_placed(self, channel: str) -> None:
        _created(channel).inc()

    def stay_conflict(self, channel: str) -> None:
        _rejected(channel).inc()

    def hold_limited(self, limit: str, channel: str) -> None:
        HOLD_LIMIT_REFUSALS.labels(limit=limit, channel=channel).inc()


# Labelled children resolved once per channel (a handful): ``labels()`` takes a lock and builds
# the key on every call, and these run on every booking.
@functools.cache
def _created(channel: str) -> Counter:
    return RESERVATIONS_CREATED.labels(channel=channel)


@functools.cache
def _rejected(channel: str) -> Counter:
    return DOUBLE_BOOKING_REJECTIONS.labels(channel=channel)


def start_known_series_at_zero() -> None:
    """Create, at 0, every label combination of the counters the alert rules take ``increase``
    or ``rate`` of, so the first event is an increase (see the module docstring). Idempotent;
    call it once per process at start (in multiprocess mode the zeros go to this process's file,
    so every worker's /metrics shows them)."""
    for source in ExternalSource:
        ICAL_CONFLICTS.labels(source=source.value)
    for reason in PAYMENT_ATTENTION_REASONS:
        PAYMENT_ATTENTION.labels(reason=reason)
    for kind in OUTBOX_KINDS:
        for outcome in (OUTBOX_RETRY, OUTBOX_GIVEN_UP):
            OUTBOX_FAILURES.labels(kind=kind, outcome=outcome)
    for provider in WEBHOOK_PROVIDERS:
        WEBHOOK_SIGNATURE_FAILURES.labels(provider=provider)
    for channel in Channel:
        _rejected(channel.value)
    for limit in HoldLimit:
        for guest_channel in (Channel.API, Channel.WHATSAPP):
            HOLD_LIMIT_REFUSALS.labels(limit=limit.value, channel=guest_channel.value)


def registry(multiprocess_dir: str | None = None) -> CollectorRegistry:
    """All workers' samples in multiprocess mode (``multiprocess_dir``, the
    PROMETHEUS_MULTIPROC_DIR setting); this process's otherwise."""
    if multiprocess_dir:
        combined = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(combined, multiprocess_dir)  # type: ignore[no-untyped-call]
        return combined
    from prometheus_client import REGISTRY

    return REGISTRY


def exposition(multiprocess_dir: str | None = None) -> tuple[bytes, str]:
    """The text format for a scrape."""
    return generate_latest(registry(multiprocess_dir)), CONTENT_TYPE_LATEST
