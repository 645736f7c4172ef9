"""Browser tests: one headless Chromium for the whole session (scripts/install-chromium.sh
installs Debian's), the real app served by uvicorn on a loopback port in a thread of this
process (so the tests share its clock and seed its database directly), and a fresh browser
context per test at each viewport (tests/browser/harness.py)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import msgspec
import pytest
import uvicorn
from dishka import Provider, Scope
from playwright.sync_api import Browser, Page, expect, sync_playwright

from application.ports.accounts import PasswordHasher
from application.ports.clock import Clock
from entrypoints.container import make_container
from entrypoints.embedded import EmbeddedRedis
from entrypoints.http.app import create_app
from entrypoints.settings import Secret, Settings
from tests.browser.harness import (
    CHROMIUM,
    VIEWPORTS,
    PageWatch,
    Viewport,
    run_async,
    screenshot,
)
from tests.threaded_server import loopback_socket, port_of, serve_in_thread
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

JWT_SECRET = "browser-tests-jwt-secret-0123456789abcdef"  # pragma: allowlist secret

# Every wait in these tests is on a condition (an element, a URL, a response); these are only
# the bounds past which a test fails. Swagger UI's bundle took longer than Playwright's 5 s
# default for `expect` to draw on a 2-core machine with a load average of 8: a bound that
# busy hosts cross is a flaky test, not a finding. A page that is really broken fails at the
# bound all the same.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="package")
def browser(template_db: str, redis_server: EmbeddedRedis) -> Iterator[Browser]:
    """One Chromium for all the browser tests. Playwright's sync API holds an event loop
    running in this thread while it is open: the database template and Redis are set up
    first (their set-up runs loops of its own), and it is closed before any other package's
    asyncio tests (tests/conftest.py also runs this package last)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/install-chromium.sh (make test does)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield instance
        instance.close()


@dataclass
class LiveApp:
    """The server the browser talks to; ``clock`` is the app's, set by the test."""

    base_url: str
    settings: Settings
    clock: FixedClock


def _serve(app: object, sock: socket.socket) -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port_of(sock),
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    return serve_in_thread(config, sock)


OWNERS = ["duena@cabanas.ar", "dueno@cabanas.ar"]


@pytest.fixture
def live_app(database_url: str, redis_server: EmbeddedRedis) -> Iterator[LiveApp]:
    """The app on a fresh database of this test's own (the three sample cabins seeded), its
    clock set to now; a second or so to start."""
    from tests.e2e.conftest import seed
    from tests.e2e.console_client import forget_sign_in_failures, quick_hasher

    url = database_url
    run_async(lambda: asyncio.to_thread(seed, url))
    forget_sign_in_failures(redis_server.url())
    settings = Settings(
        database_url=url,
        redis_url=redis_server.url(),
        rate_limit_per_minute=0,
        webhook_signature_failures_per_minute=0,
        jwt_secret=Secret(JWT_SECRET),
        admin_allowed_emails=OWNERS,
        embedded_worker=False,
    )
    clock = FixedClock(datetime.now().astimezone())
    fixed = Provider(scope=Scope.APP)
    fixed.provide(lambda: clock, provides=Clock)
    fixed.provide(quick_hasher, provides=PasswordHasher)
    app = create_app(make_container(settings, fixed), settings)
    sock = loopback_socket()
    server, thread = _serve(app, sock)
    try:
        yield LiveApp(f"http://127.0.0.1:{port_of(sock)}", settings, clock)
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(params=VIEWPORTS, ids=[v.name for v in VIEWPORTS])
def viewport(request: pytest.FixtureRequest) -> Viewport:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def page(browser: Browser, viewport: Viewport) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": viewport.width, "height": viewport.height},
        locale="es-AR",
        timezone_id="America/Argentina/Buenos_Aires",
    )
    context.set_default_timeout(WAIT_MS)
    tab = context.new_page()
    watch = PageWatch()
    tab.on("console", watch.on_console)
    tab.watch = watch  # type: ignore[attr-defined]
    yield tab
    context.close()


Check = Callable[[Page, str], None]


@pytest.fixture
def check(request: pytest.FixtureRequest, viewport: Viewport) -> Check:
    """``check(page, "step")``: accessibility (axe), CSP violations, and a screenshot."""
    from tests.browser.harness import axe_violations, describe

    def run(page: Page, step: str) -> None:
        screenshot(page, request.node.name, viewport, step)
        found = axe_violations(page)
        assert not found, f"accessibility on {page.url} ({step}):\n{describe(found)}"
        watch: PageWatch = page.watch  # type: ignore[attr-defined]
        assert not watch.csp_violations(), watch.csp_violations()

    return run


def settings_with(live: LiveApp, **changes: object) -> Settings:
    return msgspec.structs.replace(live.settings, **changes)
