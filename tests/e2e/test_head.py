"""HEAD, as uptime monitors and link checkers send it, to a real server: every GET route answers
it with the GET's status and headers (Content-Length the GET body's) and no body, the GET
handler running once; the rate limit and the security headers apply as to a GET; a route that
only takes POST still answers 405."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from domain.calendar import local_today
from entrypoints.embedded import EmbeddedRedis
from tests.e2e.conftest import seed
from tests.e2e.servers import uvicorn_server

pytestmark = pytest.mark.db

LIMIT = 10  # requests a minute per address; each test sends from an address of its own
# What two answers to the same GET never share: the moment, the trace, the budget left, and
# the one-time tokens a form page sets.
VARYING = frozenset({"date", "x-request-id", "ratelimit-remaining", "ratelimit-reset"})
# Identity: the length a GET body has, byte for byte (gzip's varies with a page's tokens).
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def server(pg_server: object, template_db: str, redis_server: EmbeddedRedis) -> Iterator[str]:
    from tests.conftest import fresh_database

    url = pg_server.url(fresh_database(pg_server, template_db))  # type: ignore[attr-defined]
    seed(url)
    import redis

    with redis.Redis.from_url(redis_server.url()) as client:
        for key in client.scan_iter(match="rl:*"):
            client.delete(key)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "RATE_LIMIT_PER_MINUTE": str(LIMIT),
    }
    with uvicorn_server(env) as base:
        yield base


def from_address(base: str, last_octet: int) -> httpx.Client:
    """A client of its own loopback address: its own rate-limit budget."""
    transport = httpx.HTTPTransport(local_address=f"127.0.0.{last_octet}")
    return httpx.Client(base_url=base, transport=transport, headers=PLAIN)


def comparable(response: httpx.Response) -> dict[str, str]:
    headers = {k: v for k, v in response.headers.items() if k not in VARYING}
    if "set-cookie" in headers:  # a fresh token each time: the cookies' names, not values
        headers["set-cookie"] = ",".join(
            sorted(re.findall(r"(?:^|, )([\w-]+)=", headers["set-cookie"]))
        )
    return headers


def assert_head_answers_as_get(client: httpx.Client, path: str) -> httpx.Response:
    """Each as a first visit (no cookie yet: each sets the same ones)."""
    client.cookies.clear()
    got = client.get(path)
    client.cookies.clear()
    head = client.head(path)
    assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content)), path
    assert comparable(head) == comparable(got), path
    # Rate limited and hardened as a GET.
    assert head.headers["x-content-type-options"] == "nosniff"
    spent = int(got.headers["ratelimit-remaining"]) - 1
    assert int(head.headers["ratelimit-remaining"]) in (spent, LIMIT - 1)  # or a new minute
    return head


def test_the_guest_pages_and_the_api_answer_head_as_their_get(server: str) -> None:
    today = local_today(datetime.now(UTC))
    check_in = today + timedelta(days=40)
    with from_address(server, 21) as client:
        made = client.post(
            "/api/v1/reservations",
            json={
                "accommodation_id": 1,
                "check_in": check_in.isoformat(),
                "check_out": (check_in + timedelta(days=3)).isoformat(),
                "guests": 2,
                "guest_name": "Juana Pérez",
                "guest_phone": "+5491155551234",
            },
        )
        assert made.status_code == 201, made.text
        code = made.json()["code"]
        page = assert_head_answers_as_get(client, f"/r/{code}")
        assert (page.status_code, page.headers["content-type"]) == (
            200,
            "text/html; charset=utf-8",
        )
        assert assert_head_answers_as_get(client, "/reservar").status_code == 200
        api = assert_head_answers_as_get(client, "/api/v1/accommodations")
        assert (api.status_code, api.headers["content-type"]) == (200, "application/json")
    with from_address(server, 22) as client:
        # A query string is the GET's too: the search made, the cabins quoted.
        query = f"/reservar?check_in={check_in}&check_out={check_in + timedelta(days=2)}&guests=2"
        assert assert_head_answers_as_get(client, query).status_code == 200
        assert assert_head_answers_as_get(client, "/r/0000000000AA").status_code == 404
        # Compressed as the GET is, when the client accepts it.
        got = client.get(f"/r/{code}", headers={"Accept-Encoding": "gzip"})
        head = client.head(f"/r/{code}", headers={"Accept-Encoding": "gzip"})
        assert head.headers["content-encoding"] == got.headers["content-encoding"] == "gzip"
        assert head.content == b""


def test_a_console_page_signed_out_sends_head_to_sign_in_as_get_does(server: str) -> None:
    with from_address(server, 23) as client:
        home = assert_head_answers_as_get(client, "/panel/")
        assert home.status_code in (302, 303)
        assert home.headers["location"].startswith("/panel/ingresar")
        sign_in = assert_head_answers_as_get(client, "/panel/ingresar")
        assert sign_in.status_code == 200
        assert sign_in.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_route_that_only_takes_post_still_answers_405_to_head(server: str) -> None:
    with from_address(server, 24) as client:
        for path in ("/api/v1/reservations", "/api/v1/webhooks/mercadopago"):
            head = client.head(path)
            assert head.status_code == 405, path
            assert head.content == b""
            assert "POST" in head.headers["allow"], path
            assert "HEAD" not in head.headers["allow"], path
        sign_out = client.head("/panel/salir")  # the console's own 405 page
        assert (sign_out.status_code, sign_out.content) == (405, b"")
        assert "POST" in sign_out.headers["allow"]
        assert "HEAD" not in sign_out.headers["allow"]
        # A GET route refusing another method names HEAD among those it takes.
        refused = client.delete("/api/v1/accommodations")
        assert refused.status_code == 405
        assert {"GET", "HEAD"} <= {m.strip() for m in refused.headers["allow"].split(",")}


def test_head_spends_the_rate_limit_as_get_does_and_its_429_has_no_body(server: str) -> None:
    with from_address(server, 25) as client:
        answers = [client.head("/reservar")]
        # Until the budget is spent (a minute that turns over meanwhile gives a new one).
        while answers[-1].status_code == 200 and len(answers) <= 2 * LIMIT + 1:
            answers.append(client.head("/reservar"))
    limited, before = answers[-1], answers[-2]
    assert limited.status_code == 429, [a.status_code for a in answers]
    assert before.headers["ratelimit-remaining"] == "0"
    assert limited.content == b""
    assert int(limited.headers["retry-after"]) > 0
    assert limited.headers["content-type"] == "text/html; charset=utf-8"
    assert int(limited.headers["content-length"]) > 0  # the "Esperá un minuto" page's


def test_head_runs_the_get_handler_once_and_is_counted_as_head(server: str) -> None:
    def served(method: str) -> float:
        metrics = httpx.get(f"{server}/metrics").text
        found = re.search(
            rf'http_requests_total{{method="{method}",route="/api/v1/accommodations",'
            rf'status="200"}} ([0-9.e+]+)',
            metrics,
        )
        return float(found.group(1)) if found else 0.0

    before = (served("GET"), served("HEAD"))
    with from_address(server, 27) as client:
        assert client.head("/api/v1/accommodations").status_code == 200
    assert (served("GET"), served("HEAD")) == (before[0], before[1] + 1)
