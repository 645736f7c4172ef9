"""Fetch a calendar feed without becoming a proxy into our own network (SSRF).

The URL must be https (plain http only outside production), carry no credentials, and its
host must resolve only to public addresses — checked on the resolved IPs, not the text, and
the connection goes to the IP that was checked (the Host header and TLS SNI keep the name), so
a DNS answer that changes between check and connect cannot slip through. Every redirect is
checked the same way. Responses are capped in size and time; proxies from the environment are
ignored (they would bypass the pinning).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from adapters.ical.parser import parse_feed
from application.errors import IntegrationError
from application.ports.calendars import FeedSnapshot
from domain.calendar_sync.external_calendar import ExternalSource, FeedUnparseable, FeedWindow
from domain.errors import UnsafeFeedUrl

MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
MAX_URL = 2000
TOTAL_TIMEOUT_S = 30.0
USER_AGENT = "Cabanas-calendar-sync/1.0"

Resolver = Callable[[str, int], Awaitable[list[str]]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


# IPv6 forms that carry an IPv4 address to a translator: NAT64 (64:ff9b::/96 and /48),
# 6to4, IPv4-compatible. Refused outright: they could reach 169.254.169.254 and the like.
_TRANSLATED = tuple(
    ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96")
)


def is_public(ip: IpAddress) -> bool:
    """Only globally routable unicast addresses: loopback, private, shared (CGNAT), link-local
    (where cloud metadata lives), multicast, reserved and unspecified ones are refused;
    IPv4-mapped IPv6 is judged as the IPv4 inside, IPv4-carrying IPv6 forms are refused."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif any(ip in net for net in _TRANSLATED):
            return False
    return ip.is_global and not ip.is_multicast


def _https_for_webcal(url: str) -> str:
    """``webcal://`` (and ``webcals://``) is how iCloud and others publish a feed: the same
    resource over HTTPS. Calendar apps never speak plain HTTP for it, and neither do we."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("webcal", "webcals"):
        return f"https://{rest}"
    return url


class HttpCalendarFetcher:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        allow_private: bool = False,
        allow_http: bool = False,
        resolver: Resolver = system_resolver,
        max_bytes: int = MAX_BYTES,
        is_allowed: Callable[[IpAddress], bool] = is_public,
        total_timeout_s: float = TOTAL_TIMEOUT_S,
    ) -> None:
        self._total_timeout_s = total_timeout_s
        self._client = client
        self._allow_private = allow_private
        self._allow_http = allow_http
        self._resolve = resolver
        self._max_bytes = max_bytes
        self._is_allowed = is_allowed

    def check_url(self, url: str) -> str:
        url = _https_for_webcal(url)
        if len(url) > MAX_URL:
            raise UnsafeFeedUrl(f"the URL is longer than {MAX_URL} characters")
        if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
            raise UnsafeFeedUrl("the URL contains spaces or control characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise UnsafeFeedUrl("the URL is malformed") from None
        allowed = ("https", "http") if self._allow_http else ("https",)
        if parts.scheme not in allowed:
            raise UnsafeFeedUrl(f"the URL must use {' or '.join(allowed)}")
        if parts.username or parts.password:
            raise UnsafeFeedUrl("the URL must not contain credentials")
        if not parts.hostname:
            raise UnsafeFeedUrl("the URL has no host")
        if port == 0:
            raise UnsafeFeedUrl("the URL's port is invalid")
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return url
        if not self._allow_private and not self._is_allowed(literal):
            raise UnsafeFeedUrl("the URL points to a non-public address")
        return url

    async def _public_ip(self, host: str, port: int) -> str:
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise IntegrationError(f"cannot resolve {host}", retryable=True) from exc
        if not addresses:
            raise IntegrationError(f"cannot resolve {host}", retryable=True)
        ips = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
        if not self._allow_private and not all(self._is_allowed(ip) for ip in ips):
            raise UnsafeFeedUrl(f"{host} resolves to a non-public address")
        return str(ips[0])

    async def fetch(
        self,
        url: str,
        source: ExternalSource,
        *,
        window: FeedWindow,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FeedSnapshot | None:
        # httpx's timeout is per read: a server trickling a byte every few seconds would hold
        # the worker for days. One deadline for the whole fetch, redirects included.
        try:
            async with asyncio.timeout(self._total_timeout_s):
                return await self._fetch(
                    url, source, window=window, etag=etag, last_modified=last_modified
                )
        except TimeoutError:
            raise IntegrationError(
                f"the feed took longer than {self._total_timeout_s:.0f} s", retryable=True
            ) from None

    async def _fetch(
        self,
        url: str,
        source: ExternalSource,
        *,
        window: FeedWindow,
        etag: str | None,
        last_modified: str | None,
    ) -> FeedSnapshot | None:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            current = self.check_url(current)
            parts = urlsplit(current)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
            ip = await self._public_ip(host, port)
            netloc = f"[{ip}]" if ":" in ip else ip
            target = urlunsplit(
                (parts.scheme, f"{netloc}:{port}", parts.path or "/", parts.query, "")
            )
            headers = {
                "Host": parts.netloc.rsplit("@", 1)[-1],
                "User-Agent": USER_AGENT,
                "Accept": "text/calendar, */*;q=0.5",
            }
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
            try:
                async with self._client.stream(
                    "GET", target, headers=headers, extensions=extensions
                ) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code == 304:
                        return None
                    if response.status_code != 200:
                        raise IntegrationError(
                            f"the feed answered HTTP {response.status_code}",
                            retryable=response.status_code >= 500 or response.status_code == 429,
                            code=str(response.status_code),
                        )
                    body = await self._read(response)
                    new_etag = response.headers.get("etag")
                    new_lm = response.headers.get("last-modified")
            except httpx.InvalidURL as exc:
                raise UnsafeFeedUrl("the URL is malformed") from exc
            except httpx.TimeoutException as exc:
                raise IntegrationError("the feed timed out", retryable=True) from exc
            except httpx.HTTPError as exc:
                raise IntegrationError(
                    f"the connection failed ({type(exc).__name__})", retryable=True
                ) from exc
            parsed = parse_feed(body, source, window=window)
            return FeedSnapshot(parsed.events, new_etag, new_lm, parsed.skipped, parsed.warnings)
        raise IntegrationError(f"more than {MAX_REDIRECTS} redirects", retryable=False)

    async def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self._max_bytes:
            raise FeedUnparseable(f"the feed is larger than {self._max_bytes // 1024} KiB")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise FeedUnparseable(f"the feed is larger than {self._max_bytes // 1024} KiB")
            chunks.append(chunk)
        return b"".join(chunks)
