"""HS256 JSON Web Tokens with the standard library only (RFC 7519 / RFC 7515).

Small enough to audit: one algorithm, no "none", constant-time signature comparison,
required ``exp``/``iat``/``sub``/``email`` and an audience, and a ceiling on a token's lifetime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

AUDIENCE = "cabanas-admin"
_HEADER = {"alg": "HS256", "typ": "JWT"}
_LEEWAY_S = 30
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class InvalidToken(Exception):
    """Missing, malformed, forged, expired or over-long token (HTTP 401)."""


@dataclass(frozen=True, slots=True)
class AdminClaims:
    subject: str
    email: str
    issued_at: datetime
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2): only the alphabet, and only the one
    encoding of the bytes — the lenient decoder ignores stray characters and unused bits, so a
    signature with characters appended would still verify."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InvalidToken("malformed token")
    decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(decoded) != text:
        raise InvalidToken("malformed token")
    return decoded


def _sign(secret: str, signing_input: bytes) -> bytes:
    return hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()


def issue(
    secret: str, *, email: str, now: datetime, ttl: timedelta, subject: str | None = None
) -> str:
    claims = {
        "sub": subject or email,
        "email": email,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{head}.{body}".encode()
    return f"{head}.{body}.{_b64(_sign(secret, signing_input))}"


def verify(secret: str, token: str, *, now: datetime, max_ttl: timedelta) -> AdminClaims:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("malformed token")
    head_b64, body_b64, signature_b64 = parts
    expected = _sign(secret, f"{head_b64}.{body_b64}".encode())
    if not hmac.compare_digest(expected, _unb64(signature_b64)):
        raise InvalidToken("bad signature")
    header = _json(_unb64(head_b64))
    if header.get("alg") != "HS256":
        raise InvalidToken("unsupported algorithm")
    claims = _json(_unb64(body_b64))
    audience = claims.get("aud")
    if audience != AUDIENCE and not (isinstance(audience, list) and AUDIENCE in audience):
        raise InvalidToken("wrong audience")
    exp, iat = claims.get("exp"), claims.get("iat")
    sub, email = claims.get("sub"), claims.get("email")
    if not isinstance(exp, int) or not isinstance(iat, int) or isinstance(exp, bool):
        raise InvalidToken("exp and iat are required")
    if not (isinstance(sub, str) and sub and isinstance(email, str) and email):
        raise InvalidToken("sub and email are required")
    stamp = int(now.timestamp())
    if exp <= stamp - _LEEWAY_S:
        raise InvalidToken("token expired")
    if iat > stamp + _LEEWAY_S:
        raise InvalidToken("token issued in the future")
    if exp - iat > max_ttl.total_seconds():
        raise InvalidToken(f"token lifetime exceeds {max_ttl}")
    tz = now.tzinfo
    return AdminClaims(
        subject=sub,
        email=email.lower(),
        issued_at=datetime.fromtimestamp(iat, tz),
        expires_at=datetime.fromtimestamp(exp, tz),
    )


def _json(raw: bytes) -> Mapping[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(value, dict):
        raise InvalidToken("malformed token")
    return value
