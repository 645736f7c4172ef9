"""HTTPS redirect, per-client rate limit and security headers, as one raw ASGI middleware
(cheaper than three; it runs on every request)."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from typing import Any, cast
from urllib.parse import urlsplit

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.prometheus.metrics import RATE_LIMITED
from adapters.redis.rate_limit import RateDecision, RedisRateLimiter
from domain.client_address import address_group
from entrypoints.http.console.rendering import PAGE_HEADERS, PREFIX, environment
from entrypoints.http.errors import PROBLEM_JSON, problem
from entrypoints.settings import Settings

# Probes and scrapes are not rate limited (a load balancer must always get through), nor
# redirected to HTTPS (Fly's checks do not follow redirects).
PROBE_PATHS = frozenset({"/api/v1/healthz", "/api/v1/readyz", "/metrics"})
# Providers' webhooks come from a few addresses in bursts and are authenticated by signature;
# they are not counted against the per-address budget. Nor are the console's own files (a
# stylesheet and two scripts): one page load would otherwise spend four of an address's hits.
UNLIMITED_PREFIXES = ("/api/v1/webhooks/", "/panel/static/")
# Bodies taken only as application/json (UTF-8). A web page may make its visitors' browsers POST
# text/plain or a form anywhere without a CORS preflight; requiring JSON sends every cross-origin
# booking through the preflight, which CORS_ALLOWED_ORIGINS decides. Checked here, before the
# body is read and without the per-request cost of a route guard.
JSON_ONLY = frozenset({("POST", "/api/v1/reservations"), ("POST", "/api/v1/reservations/")})
# The API docs are Swagger UI from files we ship (entrypoints/http/docs_ui): everything from
# 'self'; its icons are data: images inside its own stylesheet.
DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    b"frame-ancestors 'none'"
)


def is_guest_page(path: str) -> bool:
    """The guest's pages (``/r/{code}``, ``/reservar``): a browser, so errors are pages."""
    return path.startswith("/r/") or path == "/reservar" or path.startswith("/reservar/")


def is_console_page(path: str) -> bool:
    """The owner's console (``/panel``): a browser too (its own files are not limited)."""
    return path == PREFIX or path.startswith(f"{PREFIX}/")


GUEST_WAIT = (
    "Recibimos muchos pedidos seguidos desde tu conexión. Esperá un minuto y volvé a "
    "cargar la página: tu reserva no se pierde."
)
CONSOLE_WAIT = (
    "Recibimos muchos pedidos seguidos desde tu conexión. Esperá un minuto y volvé a "
    "cargar la página: lo que ya guardaste no se pierde."
)


def rate_limited_page(message: str = GUEST_WAIT) -> bytes:
    """A browser's 429, rendered once (the wait is in Retry-After; the page needs none)."""
    template = environment().get_template("guest_error.html")
    return template.render(
        title="Demasiados pedidos",
        heading="Esperá un minuto",
        message=message,
        trace_id=None,
    ).encode()


PAGE_CSP = PAGE_HEADERS["Content-Security-Policy"].encode()


# Where a request's client address is kept once worked out: the rate limit, the booking handler
# (retry key, hold quota) and the access line all ask, and parsing it once is enough.
_CLIENT_IP = "cabanas.client_ip"


def client_ip(scope: Scope, trusted_header: str | None) -> str:
    """The request's client address (``_client_ip``), worked out once per request and kept in
    its scope (keyed by the header asked for: every caller passes the same one)."""
    kept = cast(dict[str, Any], scope)  # a plain dict: ASGI scopes take extension keys
    memo: tuple[str | None, str] | None = kept.get(_CLIENT_IP)
    if memo is not None and memo[0] == trusted_header:
        return memo[1]
    address = _client_ip(scope, trusted_header)
    kept[_CLIENT_IP] = (trusted_header, address)
    return address


def _client_ip(scope: Scope, trusted_header: str | None) -> str:
    """Without a trusted proxy (``trusted_header`` None): the socket peer, whatever headers say.
    Behind one: its header (Fly-Client-IP), else the last X-Forwarded-For hop — the address the
    proxy itself saw; earlier hops are whatever the client wrote. Only an IP address is taken
    from a header (in its canonical spelling, one rate-limit key per address); anything else
    falls back to the socket peer, so no text becomes a rate-limit key or a log value."""
    if trusted_header is not None:
        wanted = trusted_header.lower().encode()
        claimed, forwarded = None, ""
        for name, value in scope.get("headers", ()):
            if name == wanted:
                claimed = value.decode("latin-1")
                break
            if name == b"x-forwarded-for":
                forwarded = value.decode("latin-1")
        if claimed is None and forwarded.strip():
            claimed = forwarded.split(",")[-1]
        if claimed is not None and (address := _ip(claimed.strip())) is not None:
            return address
    client = scope.get("client")
    return client[0] if client else "unknown"


def client_key(address: str) -> str:
    """Whom a hold counts against (``MAX_LIVE_HOLDS_PER_CLIENT``): the IPv4 address, or the
    IPv6 /64 (one subscriber's whole prefix: any host may pick a new address inside it), hashed
    so the stored key is not the address itself."""
    return hashlib.sha256(b"cabanas:client:" + address_group(address).encode()).hexdigest()[:32]


def trusted_ip_header(settings: Settings) -> str | None:
    """The proxy header the client address is read from (None: the socket peer)."""
    return settings.trusted_proxy_header if settings.trusted_proxy else None


# Exactly the IPv4 spellings ``ipaddress`` accepts (each octet 0-255 in ASCII digits, no
# leading zeros), each already canonical.
_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def _ip(text: str) -> str | None:
    if _IPV4.fullmatch(text):  # the usual case, without building an address object
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def security_headers(settings: Settings, path: str) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        # The console's own pages tell the console which page a form was on (a form posted
        # after the session ended returns there once signed in); nothing ever leaves the site.
        (b"referrer-policy", b"same-origin" if is_console_page(path) else b"no-referrer"),
        (b"cross-origin-resource-policy", b"same-site"),
    ]
    if path.startswith("/api/v1/docs"):
        headers.append((b"content-security-policy", DOCS_CSP))
    else:
        headers.append((b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"))
    if settings.environment == "production" or settings.force_https:
        value = f"max-age={settings.hsts_max_age}; includeSubDomains".encode()
        headers.append((b"strict-transport-security", value))
    if path.startswith("/api/v1/admin"):
        headers.append((b"cache-control", b"no-store"))
    return headers


class HardeningMiddleware:
    """``limiter`` is set at start-up (it needs the Redis client from the container)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limiter: RedisRateLimiter | None = None
        self.force_https = settings.force_https or settings.environment == "production"
        self.ip_header = trusted_ip_header(settings)
        # Where redirects point: our own public address, never the request's Host header.
        base = urlsplit(settings.public_base_url or "")
        self.public_host = base.netloc if base.scheme == "https" and base.netloc else None
        self.rate_limited_page = rate_limited_page(GUEST_WAIT)
        self.console_rate_limited_page = rate_limited_page(CONSOLE_WAIT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self.force_https and path not in PROBE_PATHS and _forwarded_proto(scope) == "http":
            await _redirect_to_https(scope, send, self.public_host)
            return
        extra = security_headers(self.settings, path)
        if (scope["method"], path) in JSON_ONLY and not _is_json(scope):
            body = problem(
                415,
                "the request body must be JSON, sent as Content-Type: application/json",
                code="unsupported_media_type",
                instance=path,
            )
            await _send(
                send,
                415,
                msgspec.json.encode(body),
                PROBLEM_JSON,
                extra + [(b"accept-post", b"application/json")],
            )
            return
        if (
            self.limiter is not None
            and path not in PROBE_PATHS
            and not path.startswith(UNLIMITED_PREFIXES)
        ):
            decision = await self.limiter.hit(address_group(client_ip(scope, self.ip_header)))
            extra += rate_limit_headers(decision)
            if not decision.allowed:
                RATE_LIMITED.inc()
                retry = [(b"retry-after", str(decision.reset_s).encode())]
                page = (
                    self.rate_limited_page
                    if is_guest_page(path)
                    else self.console_rate_limited_page
                    if is_console_page(path)
                    else None
                )
                if page is not None:
                    page_headers = [h for h in extra if h[0] != b"content-security-policy"]
                    page_headers += [
                        (b"content-security-policy", PAGE_CSP),
                        (b"cache-control", b"no-store"),
                        *retry,
                    ]
                    await _send(send, 429, page, "text/html; charset=utf-8", page_headers)
                    return
                body = problem(
                    429,
                    f"more than {decision.limit} requests a minute from your address; "
                    f"retry in {decision.reset_s} s",
                    code="rate_limited",
                    instance=path,
                )
                await _send(
                    send,
                    429,
                    msgspec.json.encode(body),
                    PROBLEM_JSON,
                    extra + retry,
                )
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *[h for h in extra if h[0] not in existing],
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def rate_limit_headers(decision: RateDecision) -> list[tuple[bytes, bytes]]:
    """The budget's headers on every limited answer: its size, what is left of it, and the
    seconds until the oldest counted request leaves the window."""
    return [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(decision.reset_s).encode()),
    ]


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media, *params = value.decode("latin-1").lower().split(";")
            charsets = {p.partition("=")[2].strip().strip('"') for p in params if "charset" in p}
            return media.strip() == "application/json" and charsets <= {"utf-8"}
    return False


def _forwarded_proto(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            return value.decode("latin-1").split(",")[0].strip().lower()
    return None


async def _redirect_to_https(scope: Scope, send: Send, public_host: str | None) -> None:
    """308 to the same path and query on PUBLIC_BASE_URL's host. Without an https
    PUBLIC_BASE_URL there is nowhere trustworthy to send the client: 403 problem instead."""
    path = scope["path"]
    if public_host is None:
        body = problem(
            403,
            "this API is served over HTTPS only; send the request to its https:// address",
            code="https_required",
            instance=path,
        )
        await _send(send, 403, msgspec.json.encode(body), PROBLEM_JSON, [])
        return
    # raw_path keeps the client's percent-encoding (some servers leave the query on it).
    raw = (scope.get("raw_path") or path.encode()).split(b"?", 1)[0]
    query = scope.get("query_string", b"")
    location = b"https://" + public_host.encode() + raw + (b"?" + query if query else b"")
    await _send(send, 308, b"", "text/plain", [(b"location", location)])


async def _send(
    send: Send, status: int, body: bytes, media_type: str, headers: list[tuple[bytes, bytes]]
) -> None:
    start: Any = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)
