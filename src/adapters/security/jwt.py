"""HS256 admin tokens (RFC 7519) through PyJWT.

PyJWT parses the token, refuses any algorithm but HS256 (no "none", no confusion with an
asymmetric key), compares the signature in constant time and checks the audience and the
required claims. Three rules stay ours: the time claims are judged against the injected
clock (PyJWT reads the system clock), a ceiling on a token's lifetime, and the one strict
base64url spelling of each segment (PyJWT's decoder, like the standard library's, accepts
padding, stray characters and unused bits, so a signature with characters appended verifies).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt as pyjwt
from jwt import exceptions
from jwt.types import Options

AUDIENCE = "cabanas-admin"
ALGORITHM = "HS256"
_LEEWAY_S = 30
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_OPTIONS: Options = {
    "require": ["exp", "iat", "sub", "aud"],
    # Judged below against the caller's clock.
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
}
# PyJWT's failures, most specific first, in the words our 401 answers have always used.
_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (exceptions.InvalidSignatureError, "bad signature"),
    (exceptions.InvalidAlgorithmError, "unsupported algorithm"),
    (exceptions.InvalidAudienceError, "wrong audience"),
    (exceptions.InvalidSubjectError, "sub and email are required"),
)
_MISSING = {
    "exp": "exp and iat are required",
    "iat": "exp and iat are required",
    "sub": "sub and email are required",
    "aud": "wrong audience",
}


class InvalidToken(Exception):
    """Missing, malformed, forged, expired or over-long token (HTTP 401)."""


@dataclass(frozen=True, slots=True)
class AdminClaims:
    subject: str
    email: str
    issued_at: datetime
    expires_at: datetime


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
    return pyjwt.encode(claims, secret, algorithm=ALGORITHM)


def verify(secret: str, token: str, *, now: datetime, max_ttl: timedelta) -> AdminClaims:
    parts = token.split(".")
    if len(parts) != 3 or not all(_strict_b64url(part) for part in parts):
        raise InvalidToken("malformed token")
    try:
        claims = pyjwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, options=_OPTIONS
        )
    except exceptions.MissingRequiredClaimError as err:
        raise InvalidToken(_MISSING[err.claim]) from None
    except exceptions.PyJWTError as err:
        raise InvalidToken(_reason(err)) from None
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


def _reason(err: Exception) -> str:
    return next((reason for kind, reason in _REASONS if isinstance(err, kind)), "malformed token")


def _strict_b64url(text: str) -> bool:
    """Base64url without padding, and the one encoding of its bytes (RFC 7515 §2)."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        return False
    decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return base64.urlsafe_b64encode(decoded).rstrip(b"=").decode() == text
