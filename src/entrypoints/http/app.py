"""``create_app(container, settings)``: the Litestar application, nothing else. What else runs
for the app's lifetime (the worker loop, in development) is handed in by the launcher
(``entrypoints.asgi``) as lifespan hooks; this package never imports the worker."""

from __future__ import annotations

import gc
import signal
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from types import FrameType
from typing import Any

from dishka import AsyncContainer
from litestar import Litestar, Request, Response, Router
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.prometheus.metrics import RATE_LIMITER_FAILURES, start_known_series_at_zero
from adapters.redis.rate_limit import RedisRateLimiter
from adapters.redis.resp import RespPipe
from entrypoints.http.admin.backups import AdminBackupController
from entrypoints.http.admin.cabin_texts import AdminCabinTextsController
from entrypoints.http.admin.conversations import AdminConversationController
from entrypoints.http.admin.ledger import AdminLedgerController
from entrypoints.http.admin.messages import AdminMessageController
from entrypoints.http.admin.payments import AdminPaymentController
from entrypoints.http.admin.prices import AdminPricesController
from entrypoints.http.admin.receipts import AdminReceiptController
from entrypoints.http.admin.reservations import (
    AdminAccommodationController,
    AdminBlockController,
    AdminReservationController,
    AdminStatsController,
)
from entrypoints.http.console.errors import console_exception
from entrypoints.http.console.rendering import PREFIX as CONSOLE_PREFIX
from entrypoints.http.console.rendering import template_config
from entrypoints.http.console.router import console_routers
from entrypoints.http.cors import CORSMiddleware
from entrypoints.http.docs_ui import ASSETS, ASSETS_PATH, SwaggerUIFromOwnFiles
from entrypoints.http.errors import (
    EXCEPTION_HANDLERS,
    MAX_BODY_KIB,
    handle_exception,
    request_path,
)
from entrypoints.http.guest.booking import BOOKING_PATH, booking_exception, booking_router
from entrypoints.http.guest.lost import lost_page, wants_page
from entrypoints.http.guest.page import GUEST_PREFIX, guest_exception, guest_router
from entrypoints.http.hardening import HardeningMiddleware, client_ip, trusted_ip_header
from entrypoints.http.head import answering_head, declared_head
from entrypoints.http.health import HealthController, MetricsController
from entrypoints.http.observability import ObservabilityMiddleware
from entrypoints.http.public.api import (
    AccommodationController,
    AvailabilityController,
    ReservationController,
)
from entrypoints.http.public.booking_fast_path import BookingFastPath
from entrypoints.http.public.ical import AdminFeedController, ExportController, ImportController
from entrypoints.http.request_scope import with_request_scope
from entrypoints.http.routing import AppRouter
from entrypoints.http.webhooks.handlers import WebhookController
from entrypoints.settings import Settings
from entrypoints.urls import API_PREFIX

# Something that runs while the app serves: entered after start-up, left before the container
# closes (e.g. ``entrypoints.worker.running_beside``).
LifespanHook = Callable[[], AbstractAsyncContextManager[None]]


def handle_any_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Problem JSON for the API; pages for the console and the guest pages (an unknown /panel,
    /r or /reservar path lands here), and for a browser at an unknown address (the root, a
    near miss of /reservar)."""
    path = request_path(request)
    if path == CONSOLE_PREFIX or path.startswith(f"{CONSOLE_PREFIX}/"):
        return console_exception(request, exc)
    if path.startswith(f"{GUEST_PREFIX}/"):
        return guest_exception(request, exc)
    if path == BOOKING_PATH or path.startswith(f"{BOOKING_PATH}/"):
        return booking_exception(request, exc)
    if isinstance(exc, NotFoundException) and wants_page(request, path):
        return lost_page(request, path)
    return handle_exception(request, exc)


def drain_on_signals(app: Litestar) -> Callable[[], None]:
    """From the moment SIGTERM/SIGINT arrives, /readyz answers 503 so the load balancer stops
    sending traffic, while the server (whose own handler we chain to) finishes what is in
    flight and then runs the lifespan shutdown. Returns a function restoring the handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signal handlers can only be set from the main thread
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        app.state.draining = True
        chained = previous.get(signum)
        if callable(chained):
            chained(signum, frame)
        elif chained == signal.SIG_DFL:
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.getsignal(sig)
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, old)

    return restore


def _openapi(settings: Settings) -> OpenAPIConfig | None:
    """The docs page and the schema; None (both 404) when API_DOCS is off (production's default:
    the admin operations need not be mapped out for strangers)."""
    if not settings.serves_api_docs:
        return None
    return OpenAPIConfig(
        title="Cabañas API",
        version="1.0.0",
        description="Direct bookings for the cabins. Every error is RFC 9457 problem JSON.",
        path=f"{API_PREFIX}/docs",
        render_plugins=[SwaggerUIFromOwnFiles(f"{API_PREFIX}/docs")],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
    )


def _docs_assets(settings: Settings) -> list[Router]:
    if not settings.serves_api_docs:
        return []
    return [
        create_static_files_router(
            path=f"{API_PREFIX}/docs{ASSETS_PATH}",
            directories=[ASSETS],
            include_in_schema=False,
            name="api_docs_assets",
        )
    ]


def _lifespan(
    container: AsyncContainer, settings: Settings, hooks: Sequence[LifespanHook]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Start-up and shutdown: the pool opened before traffic, the Redis limiters attached, the
    signal handlers chained, the launcher's hooks run; on the way out, in reverse."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # In this (worker) process, before the first scrape: alerts count the first event.
        start_known_series_at_zero()
        # Open the pool before traffic arrives (a failing database shows up here, not mid-request).
        engine = await container.get(AsyncEngine)
        async with engine.connect():
            pass
        pipe = _attach_limiters(app, settings)
        app.state.ready = False
        app.state.draining = False
        restore = drain_on_signals(app)
        # Everything allocated so far (modules, the app, the container, the pools) lives as long
        # as the process: move it out of the collector's view, so a full collection under load
        # walks only what requests allocate (it walked ~all of it, a tail-latency spike).
        _StartUpCollection.run()
        gc.freeze()
        running = AsyncExitStack()
        try:
            for hook in hooks:
                await running.enter_async_context(hook())
            yield
        finally:
            app.state.draining = True
            restore()
            await running.aclose()
            if pipe is not None:
                await pipe.aclose()
            await container.close()
            # Back in the collector's view: a process that builds another app (the tests do,
            # hundreds of times) would otherwise keep every stopped one and its cycles forever.
            gc.unfreeze()

    return lifespan


class _StartUpCollection:
    """A full collection before the heap is frozen, once per process: a server's worker builds
    one app, and it is that start-up's garbage that must not be frozen with it. A process that
    builds app after app (the tests: hundreds) would otherwise walk its whole, growing heap at
    every start, a third of a second each on this machine; later starts collect the young
    generations only, what building that app left behind."""

    done = False

    @classmethod
    def run(cls) -> None:
        if cls.done:
            gc.collect(1)
            return
        gc.collect()
        cls.done = True


def _attach_limiters(app: Litestar, settings: Settings) -> RespPipe | None:
    """The exact rate limit (on the hardening middleware) and the forged-webhook limit (read by
    entrypoints.http.webhooks.handlers), over one pipelined Redis connection; None when both
    are off."""
    hardening: HardeningMiddleware = app.state.hardening
    forgeries = settings.webhook_signature_failures_per_minute
    if settings.rate_limit_per_minute <= 0 and forgeries <= 0:
        return None
    assert settings.redis_url is not None
    pipe = RespPipe(settings.redis_url)
    if settings.rate_limit_per_minute > 0:
        hardening.limiter = RedisRateLimiter(
            pipe,
            settings.rate_limit_per_minute,
            local_allowance=settings.rate_limit_local_allowance,
        )
        hardening.limiter.on_failure = RATE_LIMITER_FAILURES.inc
    if forgeries > 0:
        # Counts only webhook posts whose signature failed.
        app.state.forgery_limiter = RedisRateLimiter(pipe, forgeries)
        app.state.forgery_limiter.on_failure = RATE_LIMITER_FAILURES.inc
    return pipe


def create_app(
    container: AsyncContainer,
    settings: Settings,
    *,
    debug: bool = False,
    hooks: Sequence[LifespanHook] = (),
) -> Litestar:
    api = AppRouter(
        path=API_PREFIX,
        route_handlers=[
            AccommodationController,
            AvailabilityController,
            ReservationController,
            HealthController,
            AdminReservationController,
            AdminBlockController,
            AdminAccommodationController,
            AdminCabinTextsController,
            AdminStatsController,
            AdminBackupController,
            AdminMessageController,
            AdminPaymentController,
            AdminLedgerController,
            AdminReceiptController,
            AdminPricesController,
            AdminConversationController,
            WebhookController,
            ExportController,
            ImportController,
            AdminFeedController,
        ],
    )
    app = Litestar(
        # With METRICS_PORT set (production), /metrics is served by create_metrics_app on that
        # port, on the private network only; the public app has none.
        route_handlers=[
            api,
            *console_routers(settings),
            guest_router(),
            booking_router(settings),
            *_docs_assets(settings),
            *([MetricsController] if not settings.metrics_port else []),
        ],
        lifespan=[_lifespan(container, settings, hooks)],
        exception_handlers={Exception: handle_any_exception},
        template_config=template_config(),
        openapi_config=_openapi(settings),
        debug=debug,
        request_max_body_size=MAX_BODY_KIB * 1024,
        logging_config=None,  # ours (entrypoints.logs): JSON, trace ids, redaction
    )
    # The plain booking POST skips Litestar's per-request handler layer (docs/adr/0015); every
    # other request, and every booking it does not take, goes through the routes as declared.
    fast = BookingFastPath(app.asgi_handler, app, trusted_ip_header(settings))
    app.asgi_handler = with_request_scope(fast, container)
    app.state.settings = settings
    app.state.forgery_limiter = None
    # Redirects and 429s happen before any per-request work (and cover 404s); CORS wraps them so
    # a browser can read those answers too; observability is outermost so all of them are
    # traced, logged and counted — and answer a HEAD as its GET does, without the body.
    hardening = HardeningMiddleware(app.asgi_handler, settings)
    app.state.hardening = hardening
    app.asgi_handler = ObservabilityMiddleware(
        CORSMiddleware(hardening, settings.cors_allowed_origins),
        lambda scope: client_ip(scope, hardening.ip_header),
        settings.keepalive_requests,
        settings.request_body_timeout_seconds,
        declared_head(app.routes),
    )
    return app


def create_metrics_app(container: AsyncContainer) -> Litestar:
    """/metrics alone, for METRICS_PORT: fly.toml's [[metrics]] and the private network scrape
    it there, while the public service (port 8000) has no /metrics. In multiprocess mode it
    reads every API worker's samples from PROMETHEUS_MULTIPROC_DIR."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await container.close()

    app = Litestar(
        route_handlers=[MetricsController],
        lifespan=[lifespan],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        openapi_config=None,
        logging_config=None,
    )
    # Scrapers and probes may send HEAD: answered as the GET, without the body (``head.py``).
    app.asgi_handler = answering_head(with_request_scope(app.asgi_handler, container))
    return app
