"""The feed fetcher's SSRF guard and limits, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from adapters.ical.fetcher import HttpCalendarFetcher, is_public
from application.errors import IntegrationError
from domain.calendar_sync.external_calendar import ExternalSource, FeedUnparseable, FeedWindow
from domain.errors import UnsafeFeedUrl
from tests.fakes.calendars import FakeCalendarHost, ics
from tests.fakes.providers import serve

FEED = ics([("u1", date(2027, 1, 10), date(2027, 1, 14), "Reserved")])
LOCAL = ipaddress.ip_address("127.0.0.1")
WINDOW = FeedWindow(date(2026, 11, 28), date(2028, 7, 1))


@pytest.fixture(scope="module")
def host() -> Iterator[FakeCalendarHost]:
    fake = FakeCalendarHost()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture(autouse=True)
def _clean(host: FakeCalendarHost) -> None:
    host.reset()
    host.feeds["feed.ics"] = FEED


def resolver(table: dict[str, str]):  # type: ignore[no-untyped-def]
    async def resolve(name: str, port: int) -> list[str]:
        if name not in table:
            raise OSError("no such host")
        return [table[name]]

    return resolve


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b:1::a9fe:a9fe", False),
        ("2002:a9fe:a9fe::1", False),
        ("::a9fe:a9fe", False),
        ("8.8.8.8", True),
        ("200.45.10.1", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_only_global_unicast_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


async def test_a_name_resolving_to_a_private_address_is_refused(host: FakeCalendarHost) -> None:
    port = host.url.rsplit(":", 1)[1]
    async with httpx.AsyncClient(trust_env=False) as client:
        fetcher = HttpCalendarFetcher(
            client, allow_http=True, resolver=resolver({"calendar.test": "127.0.0.1"})
        )
        with pytest.raises(UnsafeFeedUrl, match="non-public"):
            await fetcher.fetch(
                f"http://calendar.test:{port}/feed.ics", ExternalSource.AIRBNB, window=WINDOW
            )
    assert host.requests == []  # refused before connecting


async def test_redirects_are_checked_again(host: FakeCalendarHost) -> None:
    port = host.url.rsplit(":", 1)[1]
    host.redirects["hop.ics"] = f"http://internal.test:{port}/feed.ics"
    table = {"good.test": "127.0.0.1", "internal.test": "127.0.0.2"}
    async with httpx.AsyncClient(trust_env=False) as client:
        fetcher = HttpCalendarFetcher(
            client, allow_http=True, resolver=resolver(table), is_allowed=lambda ip: ip == LOCAL
        )
        # The allowed host works, through the pinned address and the Host header.
        snapshot = await fetcher.fetch(
            f"http://good.test:{port}/feed.ics", ExternalSource.AIRBNB, window=WINDOW
        )
        assert snapshot is not None
        assert [e.uid for e in snapshot.events] == ["u1"]
        with pytest.raises(UnsafeFeedUrl, match=r"internal\.test"):
            await fetcher.fetch(
                f"http://good.test:{port}/hop.ics", ExternalSource.AIRBNB, window=WINDOW
            )
    assert [path for path, _ in host.requests] == ["feed.ics", "hop.ics"]


async def test_plain_http_only_when_allowed_and_never_with_credentials() -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        strict = HttpCalendarFetcher(client)
        with pytest.raises(UnsafeFeedUrl, match="https"):
            strict.check_url("http://calendar.example/feed.ics")
        with pytest.raises(UnsafeFeedUrl, match="credentials"):
            strict.check_url(
                "https://me:secret@calendar.example/feed.ics"  # pragma: allowlist secret
            )
        with pytest.raises(UnsafeFeedUrl, match="non-public"):
            strict.check_url("https://[::ffff:169.254.169.254]/latest")
        strict.check_url("https://www.airbnb.com/calendar/ical/1.ics?s=abc")


async def test_webcal_urls_are_fetched_over_https() -> None:
    # iCloud publishes its calendars as webcal:// links: the same resource over HTTPS.
    async with httpx.AsyncClient(trust_env=False) as client:
        strict = HttpCalendarFetcher(client)
        assert (
            strict.check_url("webcal://p42-caldav.icloud.com/published/2/MTIzNDU2")
            == "https://p42-caldav.icloud.com/published/2/MTIzNDU2"
        )
        assert strict.check_url("WEBCALS://example.com/a.ics") == "https://example.com/a.ics"
        assert strict.check_url("https://example.com/a.ics") == "https://example.com/a.ics"
        with pytest.raises(UnsafeFeedUrl, match="non-public"):
            strict.check_url("webcal://127.0.0.1/a.ics")
        with pytest.raises(UnsafeFeedUrl, match="credentials"):
            strict.check_url("webcal://me:pw@example.com/a.ics")  # pragma: allowlist secret


async def test_size_limit_conditional_get_and_errors(host: FakeCalendarHost) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        fetcher = HttpCalendarFetcher(client, allow_http=True, allow_private=True, max_bytes=4096)
        first = await fetcher.fetch(f"{host.url}/feed.ics", ExternalSource.AIRBNB, window=WINDOW)
        assert first is not None
        assert first.etag
        assert (
            await fetcher.fetch(
                f"{host.url}/feed.ics", ExternalSource.AIRBNB, window=WINDOW, etag=first.etag
            )
            is None
        )
        host.feeds["big.ics"] = FEED + b"X" * 5000
        with pytest.raises(FeedUnparseable, match="larger than 4 KiB"):
            await fetcher.fetch(f"{host.url}/big.ics", ExternalSource.AIRBNB, window=WINDOW)
        host.failing["gone.ics"] = 404
        with pytest.raises(IntegrationError, match="HTTP 404") as err:
            await fetcher.fetch(f"{host.url}/gone.ics", ExternalSource.AIRBNB, window=WINDOW)
        assert err.value.retryable is False
        host.redirects["loop.ics"] = f"{host.url}/loop.ics"
        with pytest.raises(IntegrationError, match="redirects"):
            await fetcher.fetch(f"{host.url}/loop.ics", ExternalSource.AIRBNB, window=WINDOW)


async def test_a_trickling_server_cannot_hold_the_fetch_past_its_deadline() -> None:
    import asyncio

    handlers: list[asyncio.Task[None]] = []

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"
            )
            for _ in range(100):
                await asyncio.sleep(0.2)  # each read is well inside httpx's per-read timeout
                writer.write(b"X")
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(trickle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
            fetcher = HttpCalendarFetcher(
                client, allow_http=True, allow_private=True, total_timeout_s=1.0
            )
            with pytest.raises(IntegrationError, match="longer than 1 s") as err:
                await fetcher.fetch(
                    f"http://127.0.0.1:{port}/slow.ics", ExternalSource.OTHER, window=WINDOW
                )
            assert err.value.retryable
    finally:
        server.close()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
