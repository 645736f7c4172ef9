"""`cabanas preflight URL`: the cutover checklist (docs/cutover), executable against a deployed
base URL or a local one. Each item passes, fails or is skipped with the reason and the evidence."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import httpx

from entrypoints.urls import api_path, api_url

PASS, FAIL, SKIP = "pass", "fail", "skip"
Check = Callable[[httpx.Client, str], "Item"]
REQUIRED_SERIES = (
    "http_request_duration_seconds",
    "http_requests_total",
    "active_reservations",
    "ical_last_sync_age_minutes",
)


@dataclass
class Item:
    name: str
    status: str
    evidence: str


# The checklist's latency budget for /healthz, as seen from where the preflight runs.
HEALTHZ_BUDGET_MS = 200.0


def _healthz(client: httpx.Client, base: str, budget_ms: float = HEALTHZ_BUDGET_MS) -> Item:
    started = time.perf_counter()
    r = client.get(api_url(base, "healthz"))
    ms = (time.perf_counter() - started) * 1000
    body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    ok = r.status_code == 200 and body.get("status") == "healthy" and ms < budget_ms
    return Item(
        f"healthz 200 healthy < {budget_ms:g} ms",
        PASS if ok else FAIL,
        f"{r.status_code} {body.get('status')} {ms:.0f} ms",
    )


def _readyz(client: httpx.Client, base: str) -> Item:
    # readyz answers 503 naming the server when PostgreSQL is older than 16 (checklist §1).
    r = client.get(api_url(base, "readyz"))
    return Item(
        "readyz 200 (schema runnable, PostgreSQL ≥ 16)",
        PASS if r.status_code == 200 else FAIL,
        f"{r.status_code} {r.text[:120]}",
    )


def _catalogue(client: httpx.Client, base: str) -> Item:
    r = client.get(api_url(base, "accommodations"))
    ok = r.status_code == 200 and isinstance(r.json(), list) and len(r.json()) > 0
    return Item(
        f"GET {api_path('accommodations')} 200 with cabins",
        PASS if ok else FAIL,
        f"{r.status_code}",
    )


def _openapi(client: httpx.Client, base: str) -> Item:
    """Served when ``API_DOCS`` is on; production leaves it off by default, and then the path is
    an ordinary 404 — the item is skipped with that reason, not failed."""
    r = client.get(api_url(base, "docs/openapi.json"))
    if r.status_code == 404:
        return Item("OpenAPI served", SKIP, "404: API_DOCS is off (the production default)")
    ok = r.status_code == 200 and str(r.json().get("openapi", "")).startswith("3.")
    return Item("OpenAPI served", PASS if ok else FAIL, f"{r.status_code}")


def _problem_404(client: httpx.Client, base: str) -> Item:
    r = client.get(api_url(base, "preflight-does-not-exist"))
    ok = r.status_code == 404 and r.headers.get("content-type", "").startswith(
        "application/problem+json"
    )
    return Item(
        "problem JSON on 404",
        PASS if ok else FAIL,
        f"{r.status_code} {r.headers.get('content-type')}",
    )


def https_only(name: str) -> Callable[[Check], Check]:
    """Items that cannot apply to a plain-HTTP base URL are skipped, with that reason."""

    def wrap(check: Check) -> Check:
        def guarded(client: httpx.Client, base: str) -> Item:
            if not base.startswith("https://"):
                return Item(name, SKIP, "the base URL is plain HTTP; this applies to HTTPS only")
            return check(client, base)

        guarded.__name__ = check.__name__
        return guarded

    return wrap


@https_only("HSTS max-age ≥ 31536000")
def _hsts(client: httpx.Client, base: str) -> Item:
    value = client.get(api_url(base, "healthz")).headers.get("strict-transport-security", "")
    age = next(
        (int(p.split("=")[1]) for p in value.split(";") if p.strip().startswith("max-age=")), 0
    )
    return Item("HSTS max-age ≥ 31536000", PASS if age >= 31_536_000 else FAIL, value or "missing")


@https_only("HTTP → HTTPS redirect")
def _redirect(client: httpx.Client, base: str) -> Item:
    plain = "http://" + base.removeprefix("https://")
    r = client.get(api_url(plain, "accommodations"), follow_redirects=False)
    ok = r.status_code in (301, 302, 307, 308) and r.headers.get("location", "").startswith(
        "https://"
    )
    return Item(
        "HTTP → HTTPS redirect",
        PASS if ok else FAIL,
        f"{r.status_code} {r.headers.get('location')}",
    )


@https_only("TLS ≥ 1.2")
def _tls(client: httpx.Client, base: str) -> Item:
    import socket

    host = urlsplit(base).hostname or ""
    port = urlsplit(base).port or 443
    context = ssl.create_default_context()
    with (
        socket.create_connection((host, port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        version = tls.version() or ""
    return Item("TLS ≥ 1.2", PASS if version in ("TLSv1.2", "TLSv1.3") else FAIL, version)


def _cors(client: httpx.Client, base: str) -> Item:
    r = client.options(
        api_url(base, "reservations"),
        headers={
            "Origin": "https://preflight-foreign.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    allowed = r.headers.get("access-control-allow-origin", "")
    ok = allowed not in ("*", "https://preflight-foreign.example")
    return Item(
        "CORS refuses a foreign origin, never *",
        PASS if ok else FAIL,
        allowed or "no allow-origin header",
    )


def _webhooks(client: httpx.Client, base: str) -> Item:
    mp = client.post(
        api_url(base, "webhooks/mercadopago?data.id=1&type=payment"),
        json={"type": "payment", "data": {"id": "1"}},
    )
    wa = client.post(
        api_url(base, "webhooks/whatsapp"),
        content=b'{"object":"whatsapp_business_account","entry":[]}',
        headers={"Content-Type": "application/json"},
    )
    return Item(
        "unsigned webhooks rejected",
        PASS if mp.status_code == 401 and wa.status_code == 401 else FAIL,
        f"mercadopago {mp.status_code}, whatsapp {wa.status_code}",
    )


def _metrics_not_public(client: httpx.Client, base: str) -> Item:
    """/metrics shows live booking counts and costs a database query per call: it is served on
    METRICS_PORT over the private network, and the public address must not answer it."""
    r = client.get(f"{base}/metrics")
    exposed = [s for s in REQUIRED_SERIES if s in r.text]
    ok = r.status_code == 404 and not exposed
    return Item(
        "/metrics not publicly reachable",
        PASS if ok else FAIL,
        f"{r.status_code}" + (f", exposes {exposed}" if exposed else ""),
    )


def _rate_limit_headers(client: httpx.Client, base: str) -> Item:
    r = client.get(api_url(base, "accommodations"))
    ok = "ratelimit-limit" in r.headers and "ratelimit-remaining" in r.headers
    return Item(
        "rate-limit headers present",
        PASS if ok else FAIL,
        r.headers.get("ratelimit-limit", "missing"),
    )


CHECKS: tuple[Check, ...] = (
    _healthz,
    _readyz,
    _catalogue,
    _openapi,
    _problem_404,
    _hsts,
    _redirect,
    _tls,
    _cors,
    _webhooks,
    _metrics_not_public,
    _rate_limit_headers,
)


def _at_least_the_minimum_stay(
    client: httpx.Client, base: str, accommodation_id: int, check_in: str, check_out: str
) -> str:
    """The stay's end, moved later when the cabin asks for more nights than it has (a cabin
    with a three-night minimum refuses the default two)."""
    r = client.get(api_url(base, "accommodations"))
    if r.status_code != 200:
        return check_out
    cabin = next((c for c in r.json() if c.get("id") == accommodation_id), None)
    start, end = date.fromisoformat(check_in), date.fromisoformat(check_out)
    if cabin is None or (end - start).days >= int(cabin.get("min_nights", 1)):
        return check_out
    return (start + timedelta(days=int(cabin["min_nights"]))).isoformat()


def _smoke(
    client: httpx.Client,
    base: str,
    token: str | None,
    accommodation_id: int,
    check_in: str,
    check_out: str,
) -> Item:
    if not token:
        return Item(
            "smoke booking (hold, then cancel)", FAIL, "--smoke needs --token (cabanas admin token)"
        )
    check_out = _at_least_the_minimum_stay(client, base, accommodation_id, check_in, check_out)
    body = {
        "accommodation_id": accommodation_id,
        "check_in": check_in,
        "check_out": check_out,
        "guests": 1,
        "guest_name": "Preflight Smoke",
        "guest_phone": "+5491100000000",
        "notes": "preflight smoke test",
    }
    created = client.post(api_url(base, "reservations"), json=body)
    if created.status_code != 201:
        return Item(
            "smoke booking (hold, then cancel)",
            FAIL,
            f"POST {created.status_code} {created.text[:120]}",
        )
    code = created.json()["code"]
    cancelled = client.post(
        api_url(base, f"admin/reservations/{code}/cancel"),
        json={"reason": "preflight smoke test"},
        headers={"Authorization": f"Bearer {token}"},
    )
    ok = cancelled.status_code == 200 and cancelled.json().get("status") == "cancelled"
    return Item(
        "smoke booking (hold, then cancel)",
        PASS if ok else FAIL,
        f"{code}: 201 then {cancelled.status_code}",
    )


# The BackupTooOld alert's threshold: a daily backup, with two hours of slack.
BACKUP_MAX_AGE_HOURS = 26.0


def _backup_age(client: httpx.Client, base: str, token: str | None) -> Item:
    name = f"newest backup ≤ {BACKUP_MAX_AGE_HOURS:.0f} h old"
    if not token:
        return Item(name, SKIP, "needs --token (the age comes from the admin API)")
    r = client.get(
        api_url(base, "admin/backups/newest"), headers={"Authorization": f"Bearer {token}"}
    )
    if r.status_code != 200:
        return Item(name, FAIL, f"{r.status_code} {r.text[:80]}")
    body = r.json()
    if body.get("age_hours") is None:
        return Item(name, FAIL, "no backup recorded (the sync process takes one when it starts)")
    age = float(body["age_hours"])
    return Item(
        name,
        PASS if age <= BACKUP_MAX_AGE_HOURS else FAIL,
        f"{age:.1f} h old (taken {body['taken_at']})",
    )


def run(
    base: str,
    *,
    smoke: bool = False,
    token: str | None = None,
    smoke_stay: tuple[int, str, str] | None = None,
    timeout: float = 10,
    healthz_budget_ms: float = HEALTHZ_BUDGET_MS,
) -> list[Item]:
    base = base.rstrip("/")
    items: list[Item] = []
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for check in CHECKS:
            try:
                if check is _healthz:
                    items.append(_healthz(client, base, healthz_budget_ms))
                else:
                    items.append(check(client, base))
            except (httpx.HTTPError, ValueError, OSError, ssl.SSLError) as exc:
                items.append(Item(check.__name__.strip("_"), FAIL, f"{type(exc).__name__}: {exc}"))
        try:
            items.append(_backup_age(client, base, token))
        except (httpx.HTTPError, ValueError, OSError, ssl.SSLError) as exc:
            items.append(Item("backup_age", FAIL, f"{type(exc).__name__}: {exc}"))
        if smoke:
            acc, check_in, check_out = smoke_stay or (1, "", "")
            items.append(_smoke(client, base, token, acc, check_in, check_out))
    return items


def render(items: list[Item], as_json: bool) -> str:
    if as_json:
        return json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=2)
    width = max(len(i.name) for i in items)
    return "\n".join(f"{i.status.upper():4}  {i.name:<{width}}  {i.evidence}" for i in items)


def passed(items: list[Item]) -> bool:
    return all(i.status != FAIL for i in items)
