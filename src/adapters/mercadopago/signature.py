"""``x-signature`` of Mercado Pago webhooks (spec §2.2).

``x-signature: ts=<ts>,v1=<hex>``; the signed manifest is
``id:<data.id>;request-id:<x-request-id>;ts:<ts>;`` with absent parts left out, alphanumeric
ids lowercased, and ``v1 = hex(HMAC-SHA256(secret, manifest))``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    ok: bool
    reason: str = ""


def parse_header(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for chunk in value.split(","):
        name, sep, val = chunk.partition("=")
        if sep:
            parts[name.strip()] = val.strip()
    return parts


def manifest(data_id: str | None, request_id: str | None, ts: str | None) -> str:
    out = ""
    if data_id:
        out += f"id:{data_id.lower()};"  # alphanumeric ids are signed lowercased
    if request_id:
        out += f"request-id:{request_id};"
    if ts:
        out += f"ts:{ts};"
    return out


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def timestamp_seconds(ts: str) -> float | None:
    """``ts`` is documented in milliseconds, but examples carry seconds: accept both."""
    if not ts.isdigit():
        return None
    value = int(ts)
    return value / 1000 if value > 10**11 else float(value)


def verify(
    secret: str | None,
    header: str | None,
    request_id: str | None,
    data_id: str | None,
    *,
    now: float,
    tolerance_s: float,
) -> SignatureCheck:
    if not secret:
        return SignatureCheck(
            False, "MP_WEBHOOK_SECRET is not configured, so nothing can be verified"
        )
    if not header:
        return SignatureCheck(False, "the x-signature header is missing")
    parts = parse_header(header)
    ts, v1 = parts.get("ts"), parts.get("v1")
    if not ts or not v1:
        return SignatureCheck(False, "x-signature must carry ts and v1")
    expected = sign(secret, manifest(data_id, request_id, ts))
    if not hmac.compare_digest(expected.encode(), v1.lower().encode()):
        return SignatureCheck(False, "the signature does not match")
    seconds = timestamp_seconds(ts)
    if seconds is None:
        return SignatureCheck(False, "the signature timestamp is not a number")
    if abs(now - seconds) > tolerance_s:
        return SignatureCheck(False, "the signature timestamp is too old (or in the future)")
    return SignatureCheck(True)
