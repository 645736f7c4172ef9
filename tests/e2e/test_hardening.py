"""Security headers, HTTPS redirect, CORS and the per-address rate limit, through the real app."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from adapters.whatsapp.signature import sign
from entrypoints.settings import Secret
from tests.e2e.conftest import MP_WEBHOOK_SECRET, WA_APP_SECRET, ClientFactory
from tests.e2e.test_api import assert_problem
from tests.e2e.test_payments import signed_headers

pytestmark = pytest.mark.db


async def test_security_headers_everywhere(make_client: ClientFactory) -> None:
    async with make_client() as c:
        for path in ("/api/v1/accommodations", "/api/v1/nowhere"):
            r = await c.get(path)
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["x-frame-options"] == "DENY"
            assert "default-src 'none'" in r.headers["content-security-policy"]
        assert "strict-transport-security" not in r.headers  # plain-HTTP development


async def test_https_is_forced_with_hsts(make_client: ClientFactory) -> None:
    async with make_client(force_https=True, public_base_url="https://testserver.local") as c:
        r = await c.get(
            "/api/v1/accommodations?x=1",
            headers={"X-Forwarded-Proto": "http"},
            follow_redirects=False,
        )
        assert r.status_code == 308
        assert r.headers["location"] == "https://testserver.local/api/v1/accommodations?x=1"
        ok = await c.get("/api/v1/healthz", headers={"X-Forwarded-Proto": "https"})
        assert ok.status_code == 200
        assert ok.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_cors_allows_only_listed_origins(make_client: ClientFactory) -> None:
    async with make_client(cors_allowed_origins=["https://cabanas.ar"]) as c:
        preflight = {"Access-Control-Request-Method": "POST"}
        ok = await c.options(
            "/api/v1/reservations", headers={"Origin": "https://cabanas.ar", **preflight}
        )
        assert ok.headers.get("access-control-allow-origin") == "https://cabanas.ar"
        evil = await c.options(
            "/api/v1/reservations", headers={"Origin": "https://evil.example", **preflight}
        )
        assert evil.headers.get("access-control-allow-origin") != "https://evil.example"
        assert "*" not in evil.headers.get("access-control-allow-origin", "")


async def test_rate_limit_per_address_cannot_be_dodged_with_forwarded_headers(
    make_client: ClientFactory,
) -> None:
    async with make_client(rate_limit_per_minute=5) as c:
        # The test client's address is the identity; this is the only test that counts it
        # (every other app in the session runs with the limit off).
        statuses = []
        for i in range(7):
            spoof = {"X-Forwarded-For": f"203.0.113.{i}", "Fly-Client-IP": f"198.51.100.{i}"}
            statuses.append((await c.get("/api/v1/accommodations", headers=spoof)).status_code)
        assert statuses[:5] == [200] * 5
        assert statuses[5:] == [429, 429]
        r = await c.get("/api/v1/accommodations")
        body = assert_problem(r, 429)
        assert body["code"] == "rate_limited"
        assert int(r.headers["retry-after"]) >= 1
        assert r.headers["ratelimit-remaining"] == "0"
        # Health probes are never limited.
        assert (await c.get("/api/v1/healthz")).status_code == 200


async def test_the_consoles_own_files_do_not_spend_the_address_budget(
    make_client: ClientFactory,
) -> None:
    async with make_client(rate_limit_per_minute=2, trusted_proxy=True) as c:
        me = {"Fly-Client-IP": f"198.51.100.{uuid.uuid4().int % 250}"}
        for name in ("console.css", "console.js", "vendor/htmx-2.0.11.min.js") * 3:
            r = await c.get(f"/panel/static/{name}", headers=me)
            assert r.status_code == 200
            assert "ratelimit-remaining" not in r.headers
        statuses = [(await c.get("/panel/ingresar", headers=me)).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]  # pages still count


async def test_a_rate_limited_console_page_is_a_spanish_page_with_retry_after(
    make_client: ClientFactory,
) -> None:
    async with make_client(rate_limit_per_minute=2, trusted_proxy=True) as c:
        me = {"Fly-Client-IP": f"198.51.100.{uuid.uuid4().int % 250}"}
        for _ in range(2):
            assert (await c.get("/panel/ingresar", headers=me)).status_code == 200
        limited = [await c.get(path, headers=me) for path in ("/panel/ingresar", "/panel/")]
        api = await c.get("/api/v1/accommodations", headers=me)
    for page in limited:
        assert page.status_code == 429
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert int(page.headers["retry-after"]) > 0
        assert page.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert '<html lang="es-AR">' in page.text
        assert "Esperá un minuto" in page.text
        assert "tu reserva" not in page.text  # the owner's words, not the guest's
    assert api.status_code == 429
    assert api.headers["content-type"] == "application/problem+json"


async def test_a_trusted_proxy_header_identifies_clients(make_client: ClientFactory) -> None:
    async with make_client(rate_limit_per_minute=2, trusted_proxy=True) as c:
        me, other = f"198.51.100.{uuid.uuid4().int % 250}", f"2001:db8::{uuid.uuid4().hex[:4]}"
        for _ in range(2):
            assert (
                await c.get("/api/v1/accommodations", headers={"Fly-Client-IP": me})
            ).status_code == 200
        assert (
            await c.get("/api/v1/accommodations", headers={"Fly-Client-IP": me})
        ).status_code == 429
        assert (
            await c.get("/api/v1/accommodations", headers={"Fly-Client-IP": other})
        ).status_code == 200


async def test_every_address_of_an_ipv6_64_spends_one_budget(make_client: ClientFactory) -> None:
    # An IPv6 subscriber holds a whole /64 and may take a new address for every request.
    site, subnet = uuid.uuid4().int % 65536, uuid.uuid4().int % 65535
    async with make_client(rate_limit_per_minute=2, trusted_proxy=True) as c:

        async def status(subnet: int, host: int) -> int:
            headers = {"Fly-Client-IP": f"2001:db8:{site:x}:{subnet:x}::{host:x}"}
            return (await c.get("/api/v1/accommodations", headers=headers)).status_code

        assert [await status(subnet, host) for host in (1, 2, 3, 4)] == [200, 200, 429, 429]
        assert await status(subnet + 1, 1) == 200  # the next /64 is another client


async def test_health_checks_are_not_redirected(make_client: ClientFactory) -> None:
    async with make_client(force_https=True) as c:
        r = await c.get(
            "/api/v1/healthz", headers={"X-Forwarded-Proto": "http"}, follow_redirects=False
        )
        assert r.status_code == 200


async def test_docs_page_loads_only_our_own_files(make_client: ClientFactory) -> None:
    async with make_client() as c:
        r = await c.get("/api/v1/docs")
        csp = r.headers["content-security-policy"]
        assert csp == (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'"
        )
        # Every script and stylesheet the page names is ours, and served.
        assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
        assert assets == [
            "/api/v1/docs/assets/swagger-ui-5.35.0.css",
            "/api/v1/docs/assets/swagger-ui-bundle-5.35.0.js",
            "/api/v1/docs/assets/docs.js",
        ]
        assert "<style" not in r.text
        assert "<script>" not in r.text
        for asset in assets:
            served = await c.get(asset)
            assert served.status_code == 200, asset
            kind = "text/css" if asset.endswith(".css") else "javascript"
            assert kind in served.headers["content-type"]


async def test_oversized_bodies_are_refused_with_a_problem(make_client: ClientFactory) -> None:
    async with make_client() as c:
        r = await c.post(
            "/api/v1/reservations",
            content=b'{"notes": "' + b"x" * 70_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert_problem(r, 413)


async def test_two_app_instances_share_one_budget(make_client: ClientFactory) -> None:
    """Two machines behind Fly, one client: the 101st request in the window is refused."""
    address = f"198.51.100.{uuid.uuid4().int % 250}"
    headers = {"Fly-Client-IP": address}
    async with (
        make_client(rate_limit_per_minute=100, trusted_proxy=True) as a,
        make_client(rate_limit_per_minute=100, trusted_proxy=True) as b,
    ):
        statuses = [
            (await (a if i % 2 else b).get("/api/v1/accommodations", headers=headers)).status_code
            for i in range(101)
        ]
    assert statuses[:100] == [200] * 100
    assert statuses[100] == 429


async def test_hsts_and_redirect_come_with_production(make_client: ClientFactory) -> None:
    async with make_client(environment="production", public_base_url="https://cabanas.test") as c:
        r = await c.get(
            "/api/v1/accommodations", headers={"X-Forwarded-Proto": "http"}, follow_redirects=False
        )
        assert r.status_code == 308
        ok = await c.get("/api/v1/accommodations", headers={"X-Forwarded-Proto": "https"})
        assert ok.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    async with make_client(environment="staging") as c:
        r = await c.get(
            "/api/v1/accommodations", headers={"X-Forwarded-Proto": "http"}, follow_redirects=False
        )
        assert r.status_code == 200
        assert "strict-transport-security" not in r.headers


async def test_the_https_redirect_points_at_public_base_url_whatever_the_host_header(
    make_client: ClientFactory,
) -> None:
    async with make_client(force_https=True, public_base_url="https://reservas.cabanas.ar") as c:
        r = await c.get(
            "/api/v1/accommodations?x=1",
            headers={"X-Forwarded-Proto": "http", "Host": "evil.example"},
            follow_redirects=False,
        )
    assert r.status_code == 308
    assert r.headers["location"] == "https://reservas.cabanas.ar/api/v1/accommodations?x=1"


async def test_without_public_base_url_plain_http_is_refused_not_redirected(
    make_client: ClientFactory,
) -> None:
    async with make_client(force_https=True) as c:
        r = await c.get(
            "/api/v1/accommodations",
            headers={"X-Forwarded-Proto": "http", "Host": "evil.example"},
            follow_redirects=False,
        )
    assert assert_problem(r, 403)["code"] == "https_required"
    assert "location" not in r.headers


DOC_PATHS = (
    "/api/v1/docs",
    "/api/v1/docs/openapi.json",
    "/api/v1/docs/assets/docs.js",
)


@pytest.mark.parametrize(
    ("changes", "served"),
    [
        ({}, True),  # development: on
        ({"environment": "staging"}, True),
        ({"environment": "production"}, False),  # production: off unless asked for
        ({"environment": "production", "api_docs": True}, True),
        ({"api_docs": False}, False),
    ],
)
async def test_api_docs_follow_the_setting(
    make_client: ClientFactory, changes: dict[str, object], served: bool
) -> None:
    async with make_client(public_base_url="https://cabanas.test", **changes) as c:
        for path in DOC_PATHS:
            # Production redirects plain http: speak https as Fly's proxy does.
            r = await c.get(path, headers={"X-Forwarded-Proto": "https"})
            if served:
                assert r.status_code == 200, path
            else:
                assert_problem(r, 404)
        # The API itself is unaffected.
        assert (await c.get("/api/v1/accommodations")).status_code == 200


WA_HOOK = "/api/v1/webhooks/whatsapp"
FORGERS_KEY = "not-the-app-secret"  # pragma: allowlist secret
EMPTY_ENVELOPE = b'{"object": "whatsapp_business_account", "entry": []}'


def _wa_headers(secret: str, address: str) -> dict[str, str]:
    return {
        "X-Hub-Signature-256": sign(secret, EMPTY_ENVELOPE),
        "Content-Type": "application/json",
        "Fly-Client-IP": address,
    }


async def test_forged_webhook_posts_are_limited_per_address_signed_ones_never(
    make_client: ClientFactory,
) -> None:
    forger = f"203.0.113.{uuid.uuid4().int % 250}"
    bystander = f"198.51.100.{uuid.uuid4().int % 250}"
    forged = _wa_headers(FORGERS_KEY, forger)
    async with make_client(
        trusted_proxy=True,
        whatsapp_app_secret=Secret(WA_APP_SECRET),
        mp_webhook_secret=Secret(MP_WEBHOOK_SECRET),
        webhook_signature_failures_per_minute=3,
    ) as c:
        for attempt in range(2):  # a second go only if a minute boundary reset the count
            window = int(time.time() // 60)
            statuses = [
                (await c.post(WA_HOOK, content=EMPTY_ENVELOPE, headers=forged)).status_code
                for _ in range(3)
            ]
            refused = await c.post(WA_HOOK, content=EMPTY_ENVELOPE, headers=forged)
            if int(time.time() // 60) == window or attempt == 1:
                break
        assert statuses == [401, 401, 401]
        problem = assert_problem(refused, 429)
        assert problem["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        # The other webhook counts against the same address.
        mp_forged = await c.post(
            "/api/v1/webhooks/mercadopago?data.id=123&type=payment",
            json={"type": "payment", "data": {"id": "123"}},
            headers={**signed_headers("123", secret=FORGERS_KEY), "Fly-Client-IP": forger},
        )
        assert_problem(mp_forged, 429)
        # Correctly signed posts from that very address always get through.
        for _ in range(5):
            ok = await c.post(
                WA_HOOK, content=EMPTY_ENVELOPE, headers=_wa_headers(WA_APP_SECRET, forger)
            )
            assert ok.status_code == 202, ok.text
        # Another address is not affected.
        other = _wa_headers(FORGERS_KEY, bystander)
        assert_problem(await c.post(WA_HOOK, content=EMPTY_ENVELOPE, headers=other), 401)


async def test_forged_webhook_posts_from_one_ipv6_64_share_one_budget(
    make_client: ClientFactory,
) -> None:
    prefix = f"2001:db8:{uuid.uuid4().int % 65536:x}:{uuid.uuid4().int % 65536:x}"
    async with make_client(
        trusted_proxy=True,
        whatsapp_app_secret=Secret(WA_APP_SECRET),
        webhook_signature_failures_per_minute=3,
    ) as c:
        statuses = [
            (
                await c.post(
                    WA_HOOK,
                    content=EMPTY_ENVELOPE,
                    headers=_wa_headers(FORGERS_KEY, f"{prefix}::{host:x}"),
                )
            ).status_code
            for host in range(1, 6)
        ]
    # A sliding window: the three failures stay counted for a whole minute from each.
    assert statuses == [401, 401, 401, 429, 429]
