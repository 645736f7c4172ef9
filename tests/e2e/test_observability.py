"""Metrics, trace ids, JSON logs with redaction, and health that follows the database."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis
from entrypoints.logs import JsonFormatter, redact, trace_id_from
from tests.e2e.conftest import seed
from tests.e2e.servers import uvicorn_server
from tests.e2e.test_api import BOOKING

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 if absent)."""
    found = sample_or_none(text, name, **labels)
    return 0.0 if found is None else found


def sample_or_none(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the Prometheus text format (None if the series is absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        metric, _, value = line.rpartition(" ")
        head, _, label_part = metric.partition("{")
        if head != name:
            continue
        got = ",".join(sorted(label_part.rstrip("}").split(","))) if label_part else ""
        if got == want:
            return float(value)
    return None


def series_alerts_need_at_zero() -> list[tuple[str, dict[str, str]]]:
    """Every label combination of the counters the alert rules take increase()/rate() of:
    each must be exported (at 0) before its first event, or that event raises no alert."""
    from application.ports.idempotency import WEBHOOK_PROVIDERS
    from application.ports.metrics import PAYMENT_ATTENTION_REASONS
    from application.ports.outbox import OUTBOX_KINDS
    from domain.booking.reservation import Channel
    from domain.calendar_sync.external_calendar import ExternalSource
    from domain.payments.payment import Attention

    assert "unverified" in PAYMENT_ATTENTION_REASONS  # given-up payment notifications
    assert set(OUTBOX_KINDS) >= {"whatsapp.message", "mercadopago.checkout", "admin.alert"}
    return [
        *(("ical_conflicts_total", {"source": s.value}) for s in ExternalSource),
        *(("payment_attention_total", {"reason": a.value}) for a in Attention),
        ("payment_attention_total", {"reason": "unverified"}),
        *(
            ("outbox_failures_total", {"kind": kind, "outcome": outcome})
            for kind in OUTBOX_KINDS
            for outcome in ("given_up", "retry")  # as alerts.yml selects them
        ),
        *(("webhook_signature_failures_total", {"provider": p}) for p in WEBHOOK_PROVIDERS),
        *(("double_booking_rejections_total", {"channel": c.value}) for c in Channel),
    ]


def assert_alert_series_start_at_zero(text: str) -> None:
    missing = [
        (name, labels)
        for name, labels in series_alerts_need_at_zero()
        if sample_or_none(text, name, **labels) != 0
    ]
    assert not missing, f"not exported at 0 before any event: {missing}"


async def test_metrics_follow_requests_by_route_template(client: Client) -> None:
    before = await _scrape(client)
    created = await client.post("/reservations", json=BOOKING)
    code = created.json()["code"]
    await client.get(f"/reservations/{code}")
    await client.get(f"/reservations/{code}")
    # 409: another guest for those nights (the same body again would get its own hold back)
    await client.post("/reservations", json={**BOOKING, "guest_name": "Otra persona"})
    await client.get("/no/such/path/12345")
    after = await _scrape(client)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    route = "/api/v1/reservations/{code}"
    assert delta("http_requests_total", method="GET", route=route, status="200") == 2
    assert (
        delta("http_request_duration_seconds_count", method="GET", route=route, status="200") == 2
    )
    assert (
        delta("http_requests_total", method="POST", route="/api/v1/reservations", status="409") == 1
    )
    assert delta("http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert delta("reservations_created_total", channel="api") == 1
    assert delta("double_booking_rejections_total", channel="api") == 1
    assert code not in after  # raw paths never become label values
    # Buckets reach past every SLO threshold an alert uses (3 s).
    assert 'le="5.0"' in after
    assert sample(after, "active_reservations", status="pre_reserved") == 1
    assert sample(after, "active_reservations", status="confirmed") == 0


async def _scrape(client: Client) -> str:
    # /metrics lives outside /api/v1; the test client's base URL is /api/v1.
    r = await client.get("http://testserver.local/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


async def _post_cut_short(app: Litestar, path: str) -> None:
    """A POST whose client sends part of the body it announced, then hangs up."""
    messages: list[dict[str, object]] = [
        {"type": "http.request", "body": b'{"accommodation', "more_body": True},
        {"type": "http.disconnect"},  # and again, to whoever asks after that
    ]

    async def receive() -> dict[str, object]:
        return messages.pop(0) if len(messages) > 1 else messages[0]

    async def send(message: dict[str, object]) -> None:
        pass  # the client is gone: a server drops what is sent now

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"data.id=1&type=payment" if "webhooks" in path else b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver.local"),
            (b"content-type", b"application/json"),
            (b"content-length", b"500"),
        ],
        "client": ("127.0.0.9", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]


async def test_a_client_that_hangs_up_before_its_answer_is_a_499_not_a_server_error(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """A body cut short (the client sent part of it and left): nothing to answer, and nothing
    wrong with the server, so no 5xx for the error-rate alert and no error in the log."""
    before = await _scrape(client)
    with caplog.at_level(logging.INFO):
        for path in ("/api/v1/reservations", "/api/v1/webhooks/mercadopago"):
            await _post_cut_short(client.app, path)
    after = await _scrape(client)
    for route in ("/api/v1/reservations", "/api/v1/webhooks/mercadopago"):
        counted = {
            status: sample(after, "http_requests_total", method="POST", route=route, status=status)
            - sample(before, "http_requests_total", method="POST", route=route, status=status)
            for status in ("499", "500", "400")
        }
        assert counted == {"499": 1, "500": 0, "400": 0}, route
    access = [r for r in caplog.records if r.name == "cabanas.access"]
    assert [getattr(r, "status", None) for r in access[-2:]] == [499, 499]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_trace_ids_come_from_the_caller_or_are_made(client: Client) -> None:
    r = await client.get("/accommodations", headers={"X-Request-ID": "req-abcdef12"})
    assert r.headers["x-request-id"] == "req-abcdef12"
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    r = await client.get("/accommodations", headers={"traceparent": parent})
    assert (
        r.headers["x-request-id"] == "0af7651916cd43dd8448eb211c80319c"  # pragma: allowlist secret
    )  # pragma: allowlist secret
    r = await client.get("/accommodations", headers={"X-Request-ID": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
    assert trace_id_from("00-" + "0" * 32 + "-b7ad6b7169203331-01", None) != "0" * 32


SECRETS_AND_PII = [
    # Fake secrets, fed through the loggers to prove they never come out.
    # pragma: allowlist nextline secret
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvd25lciJ9.c2lnbmF0dXJlc2lnbmF0dXJl",
    "+5491155551234",
    "juana.perez@example.com",
    "postgresql://app:Sup3rS3cretPw@db.internal/cabanas",  # pragma: allowlist secret
    "x-hub-signature-256=sha256=9f86d081884c7d659a2feaa0c55ad015",
    "jwt_secret=hunter2hunter2hunter2hunter2hunter2",
]


def test_redaction_covers_every_kind() -> None:
    for raw in SECRETS_AND_PII:
        cleaned = redact(f"context {raw} trailing")
        for fragment in (
            "eyJzdWIi",
            "55551234",
            "juana.perez",
            "Sup3rS3cretPw",
            "9f86d081",
            "hunter2",
        ):
            assert fragment not in cleaned, (raw, cleaned)
    assert redact("+5491155551234").endswith("34")  # keeps the last digits
    # Dates are not phone numbers: an operator must see which nights a log line is about.
    assert redact("check_in 2026-12-18 check_out 2026-12-20") == (
        "check_in 2026-12-18 check_out 2026-12-20"
    )


async def test_every_log_line_is_json_with_a_trace_id_and_no_pii(client: Client) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        await client.post(
            "/reservations",
            json={**BOOKING, "guest_email": "juana.perez@example.com"},
            headers={"X-Request-ID": "trace-0001x", "Authorization": SECRETS_AND_PII[0]},
        )
        await client.get("/accommodations", headers={"X-Request-ID": "trace-0002x"})
        # An application log line carrying PII and secrets, inside a request's trace.
        logging.getLogger("cabanas.test").warning(
            "guest %s wrote from %s using %s",
            SECRETS_AND_PII[2],
            SECRETS_AND_PII[1],
            SECRETS_AND_PII[3],
        )
        try:
            raise RuntimeError(f"boom {SECRETS_AND_PII[4]} {SECRETS_AND_PII[5]}")
        except RuntimeError:
            logging.getLogger("cabanas.test").exception("failure")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    access = [entry for entry in lines if entry["logger"] == "cabanas.access"]
    assert {a["trace_id"] for a in access} >= {"trace-0001x", "trace-0002x"}
    assert all({"timestamp", "level", "event", "logger", "trace_id"} <= set(e) for e in lines)
    post = next(a for a in access if a["trace_id"] == "trace-0001x")
    assert (post["method"], post["route"], post["status"]) == ("POST", "/api/v1/reservations", 201)
    assert isinstance(post["duration_ms"], float)
    everything = stream.getvalue()
    for fragment in ("eyJzdWIi", "55551234", "juana.perez", "Sup3rS3cretPw", "9f86d081", "hunter2"):
        assert fragment not in everything


def test_metrics_add_up_across_worker_processes(
    pg_server: EmbeddedPostgres, template_db: str, redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))
    seed(url)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "RATE_LIMIT_PER_MINUTE": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    with uvicorn_server(env, workers=2) as base, httpx.Client(base_url=base) as http:
        for _ in range(40):
            # New connections, so both workers take some of them.
            assert httpx.get(f"{base}/api/v1/accommodations").status_code == 200
        scrapes = [http.get("/metrics").text for _ in range(4)]
    totals = {
        sample(s, "http_requests_total", method="GET", route="/api/v1/accommodations", status="200")
        for s in scrapes
    }
    assert totals == {40.0}  # every scrape, whichever worker answers, sees all 40
    assert len(list(tmp_path.glob("*.db"))) >= 2  # both workers wrote samples


def test_with_metrics_port_set_metrics_leave_the_public_server_for_their_own(
    pg_server: EmbeddedPostgres, template_db: str, redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    """Production's arrangement (fly.toml's app process): the public API, two workers, without
    /metrics; beside it `entrypoints.asgi:create_metrics` on METRICS_PORT, reading both
    workers' samples from the shared directory, the database gauges included."""
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))
    seed(url)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "RATE_LIMIT_PER_MINUTE": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_PORT": "9",  # any non-zero value: the test servers pick their own ports
    }
    with (
        uvicorn_server(env, workers=2) as public,
        uvicorn_server(
            env, factory="entrypoints.asgi:create_metrics", ready_path="/metrics"
        ) as private,
    ):
        for _ in range(10):
            assert httpx.get(f"{public}/api/v1/accommodations").status_code == 200
        hidden = httpx.get(f"{public}/metrics")
        scrape = httpx.get(f"{private}/metrics").text
    assert hidden.status_code == 404
    assert "http_requests_total" not in hidden.text
    assert (
        sample(
            scrape,
            "http_requests_total",
            method="GET",
            route="/api/v1/accommodations",
            status="200",
        )
        == 10.0
    )
    assert sample_or_none(scrape, "backup_last_success_timestamp_seconds") == 0
    assert_alert_series_start_at_zero(scrape)


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "multiprocess"])
def test_a_fresh_server_exports_the_alerted_counters_at_zero(
    pg_server: EmbeddedPostgres,
    template_db: str,
    redis_server: EmbeddedRedis,
    tmp_path: Path,
    workers: int,
) -> None:
    """Before any conflict, refund or given-up message, the series exist at 0: a counter born
    at 1 has no increase() (CalendarConflict & co. would miss every label's first event)."""
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))
    env = {"DATABASE_URL": url, "REDIS_URL": redis_server.url(), "RATE_LIMIT_PER_MINUTE": "0"}
    if workers > 1:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    with uvicorn_server(env, workers=workers) as base, httpx.Client(base_url=base) as http:
        scrapes = [http.get("/metrics").text for _ in range(2 * workers)]
    for text in scrapes:  # whichever worker answers
        assert_alert_series_start_at_zero(text)


def test_healthz_follows_the_database_down_and_back(
    tmp_path: Path, redis_server: EmbeddedRedis
) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg", ephemeral=True).start()
    try:
        from entrypoints.migrate import upgrade

        upgrade(pg.url())
        env = {
            "DATABASE_URL": pg.url(),
            "REDIS_URL": redis_server.url(),
            "RATE_LIMIT_PER_MINUTE": "0",
        }
        with uvicorn_server(env) as base:
            assert httpx.get(f"{base}/api/v1/healthz").status_code == 200
            # Uptime monitors probe with HEAD: the same status, no body.
            for path in ("/api/v1/healthz", "/api/v1/readyz"):
                probed = httpx.head(f"{base}{path}")
                assert (probed.status_code, probed.content) == (200, b""), path
                assert probed.headers["cache-control"] == "no-store"
            pg.stop()
            # The healthy report is reused for up to 1 s: ask until a fresh probe answers.
            deadline = time.monotonic() + 15
            while True:
                started = time.perf_counter()
                down = httpx.get(f"{base}/api/v1/healthz")
                answered_in = time.perf_counter() - started
                if down.status_code != 200:
                    break
                assert time.monotonic() < deadline, "healthz never saw the database down"
                time.sleep(0.05)
            assert answered_in < 1.0  # a database that is gone does not hold the answer up
            assert down.status_code == 503
            assert down.json()["checks"]["database"]["ok"] is False
            assert down.json()["status"] == "unhealthy"
            probed = httpx.head(f"{base}/api/v1/healthz")
            assert (probed.status_code, probed.content) == (503, b"")
            pg.start()
            deadline = time.monotonic() + 15
            while httpx.get(f"{base}/api/v1/healthz").status_code != 200:
                assert time.monotonic() < deadline, "health did not recover"
                time.sleep(0.3)
    finally:
        pg.stop()


def test_healthz_stays_up_degraded_while_redis_is_down(tmp_path: Path, database_url: str) -> None:
    """Fly pulls a machine whose check fails: a Redis outage must not pull them all, since
    bookings need only PostgreSQL. Degraded (200) and dependency_up{dependency="redis"} 0,
    for the RedisDown alert; back to healthy once Redis returns."""
    from datetime import date, timedelta

    seed(database_url)
    redis = EmbeddedRedis(tmp_path / "redis", persistent=False).start()
    try:
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis.url()}
        with uvicorn_server(env) as base, httpx.Client(base_url=f"{base}/api/v1") as http:
            assert http.get("/healthz").json()["status"] == "healthy"
            redis.stop()
            deadline = time.monotonic() + 15
            while (health := http.get("/healthz")).json()["checks"]["redis"]["ok"]:
                assert health.status_code == 200
                assert time.monotonic() < deadline, "healthz never saw Redis down"
                time.sleep(0.1)
            assert health.status_code == 200, health.text
            assert health.json()["status"] == "degraded"
            assert health.json()["checks"]["database"]["ok"] is True
            check_in = date.today() + timedelta(days=60)  # this server runs on the wall clock
            stay = {"check_in": check_in.isoformat(), "check_out": str(check_in + timedelta(2))}
            booked = http.post("/reservations", json=BOOKING | stay)
            assert booked.status_code == 201, booked.text
            scrape = httpx.get(f"{base}/metrics").text
            assert sample_or_none(scrape, "dependency_up", dependency="redis") == 0
            assert sample(scrape, "dependency_up", dependency="database") == 1
            redis.start()  # same port
            deadline = time.monotonic() + 15
            while http.get("/healthz").json()["status"] != "healthy":
                assert time.monotonic() < deadline, "health did not recover"
                time.sleep(0.1)
    finally:
        redis.stop()


async def test_concurrent_scrapes_do_not_break(client: Client) -> None:
    results = await asyncio.gather(*(_scrape(client) for _ in range(5)))
    assert all("http_requests_total" in r for r in results)


def test_alert_rules_match_what_the_app_exports(project_root: Path) -> None:
    """The label values and buckets the alert rules rely on are the ones the app writes
    (promtool's unit tests in monitoring/alerts.test.yml use the same shapes)."""
    from adapters.prometheus.metrics import LATENCY_BUCKETS

    rules = (project_root / "monitoring" / "alerts.yml").read_text()
    assert 'route="/api/v1/reservations"' in rules
    assert 'route="/api/v1/healthz"' in rules
    assert 'status=~"5.."' in rules  # the app writes numeric statuses ("500"), never "5xx"
    # A p95 > 3 s alert needs a finite bucket above 3 s; 200 ms needs one above 0.2 s.
    assert max(LATENCY_BUCKETS) > 3
    assert 0.2 in LATENCY_BUCKETS
    assert any(b > 0.2 for b in LATENCY_BUCKETS)
    tests = (project_root / "monitoring" / "alerts.test.yml").read_text()
    for name in (
        "HighErrorRate",
        "SlowBookings",
        "SlowHealthz",
        "CalendarSyncStale",
        "CalendarConflict",
        "PaymentNeedsAttention",
        "OutboxMessagesGivenUp",
        "RedisDown",
    ):
        assert f"alertname: {name}" in tests


async def test_exported_series_have_the_shapes_the_rules_use(client: Client) -> None:
    await client.post("/reservations", json=BOOKING)
    await client.get("/healthz")
    text = await _scrape(client)
    assert re.search(
        r'http_request_duration_seconds_bucket\{le="5\.0",method="POST",route="/api/v1/reservations",status="201"\}',
        text,
    )
    assert re.search(
        r'http_requests_total\{method="GET",route="/api/v1/healthz",status="200"\}', text
    )


def test_the_shutdown_signal_marks_the_app_draining_and_reaches_the_server() -> None:
    import signal

    from litestar import Litestar

    from entrypoints.http.app import drain_on_signals

    app = Litestar([])
    app.state.draining = False
    received: list[int] = []
    # Stand-in for the server's own handler (uvicorn's), which ours must still call.
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: received.append(signum))
    try:
        restore = drain_on_signals(app)
        signal.raise_signal(signal.SIGTERM)
        assert app.state.draining is True
        assert received == [signal.SIGTERM]
        restore()
        signal.raise_signal(signal.SIGTERM)
        assert received == [signal.SIGTERM, signal.SIGTERM]  # the server's handler is back
    finally:
        signal.signal(signal.SIGTERM, previous)


async def test_readyz_is_503_while_draining(client: Client) -> None:
    assert (await client.get("/readyz")).status_code == 200
    client.app.state.draining = True
    r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["detail"] == "shutting down"
    assert (await client.head("/readyz")).status_code == 503
    client.app.state.draining = False


def test_every_alert_links_to_an_existing_runbook_section(project_root: Path) -> None:
    rules = (project_root / "monitoring" / "alerts.yml").read_text()
    links = re.findall(r'runbook_url: "([^"#]+)#([^"]+)"', rules)
    assert len(links) == rules.count("- alert:")
    for path, anchor in links:
        doc = (project_root / path).read_text()
        headings = {
            re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in doc.splitlines()
            if line.startswith("#")
        }
        assert anchor in headings, f"{path}#{anchor} has no heading"
