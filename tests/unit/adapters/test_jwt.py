import base64
import json
import string
from datetime import UTC, datetime, timedelta

import pytest

from adapters.security.jwt import AUDIENCE, InvalidToken, issue, verify

SECRET = "k" * 16 + "Zq8!mW2#pL5^rT9&"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
TWELVE_HOURS = timedelta(hours=12)


def token(**overrides: object) -> str:
    return issue(SECRET, email="owner@cabanas.ar", now=NOW, ttl=timedelta(hours=8), **overrides)  # type: ignore[arg-type]


def forge(
    claims: dict[str, object], header: dict[str, object] | None = None, secret: str = SECRET
) -> str:
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "owner",
        "email": "owner@cabanas.ar",
        "aud": AUDIENCE,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
    }
    base.update(overrides)
    return base


def test_round_trip() -> None:
    c = verify(SECRET, token(), now=NOW, max_ttl=TWELVE_HOURS)
    assert c.email == "owner@cabanas.ar"
    assert c.expires_at == NOW + timedelta(hours=8)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("not-a-token", "malformed"),
        ("a.b", "malformed"),
        (
            # pragma: allowlist nextline secret
            forge(claims(), secret="another-secret-entirely-32-chars!!"),
            "bad signature",
        ),
        (forge(claims(), header={"alg": "none"}), "unsupported algorithm"),
        (forge(claims(aud="someone-else")), "wrong audience"),
        (forge(claims(exp=int((NOW - timedelta(minutes=5)).timestamp()))), "expired"),
        (forge({k: v for k, v in claims().items() if k != "exp"}), "exp and iat are required"),
        (forge(claims(email="")), "sub and email are required"),
        (forge(claims(exp=int((NOW + timedelta(hours=13)).timestamp()))), "lifetime exceeds"),
        (forge(claims(iat=int((NOW + timedelta(hours=1)).timestamp()))), "issued in the future"),
    ],
)
def test_refuses(bad: str, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        verify(SECRET, bad, now=NOW, max_ttl=TWELVE_HOURS)


def test_a_tampered_payload_fails_the_signature() -> None:
    head, _, sig = token().split(".")
    body = (
        base64.urlsafe_b64encode(json.dumps(claims(email="evil@x.io")).encode())
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(InvalidToken, match="bad signature"):
        verify(SECRET, f"{head}.{body}.{sig}", now=NOW, max_ttl=TWELVE_HOURS)


def _other_spelling(char: str) -> str:
    """A base64url character that decodes to the same bytes in a signature's last position
    (43 characters carry 258 bits: the last one's two low bits are unused)."""
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    return alphabet[alphabet.index(char) ^ 1]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda sig: sig + "=",
        lambda sig: sig + "==",
        lambda sig: sig + "!",
        lambda sig: sig + "%20",
        lambda sig: sig + " ",
        lambda sig: sig[:10] + "\n" + sig[10:],
        lambda sig: sig[:-1] + _other_spelling(sig[-1]),
    ],
    ids=["pad", "double-pad", "bang", "escape", "space", "newline", "unused-bits"],
)
def test_a_signature_in_any_but_its_one_strict_spelling_is_refused(tamper: object) -> None:
    head, body, sig = token().split(".")
    assert verify(SECRET, f"{head}.{body}.{sig}", now=NOW, max_ttl=TWELVE_HOURS)
    with pytest.raises(InvalidToken):
        verify(SECRET, f"{head}.{body}.{tamper(sig)}", now=NOW, max_ttl=TWELVE_HOURS)  # type: ignore[operator]


def test_a_header_or_payload_with_stray_characters_is_refused() -> None:
    head, body, sig = token().split(".")
    for bad in (f"{head}=.{body}.{sig}", f"{head}.{body}!.{sig}"):
        with pytest.raises(InvalidToken):
            verify(SECRET, bad, now=NOW, max_ttl=TWELVE_HOURS)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (forge(claims(), header={"alg": "HS512", "typ": "JWT"}), "unsupported algorithm"),
        (forge(claims(), header={"alg": "RS256", "typ": "JWT"}), "unsupported algorithm"),
        (forge({k: v for k, v in claims().items() if k != "aud"}), "wrong audience"),
        (forge({k: v for k, v in claims().items() if k != "sub"}), "sub and email are required"),
        (forge(claims(sub=42)), "sub and email are required"),
        (forge(claims(exp="tomorrow")), "exp and iat are required"),
    ],
    ids=["hs512", "rs256", "no-aud", "no-sub", "sub-number", "exp-text"],
)
def test_refuses_other_algorithms_and_malformed_claims(bad: str, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        verify(SECRET, bad, now=NOW, max_ttl=TWELVE_HOURS)


def test_time_is_judged_by_the_given_clock_not_the_system_one() -> None:
    far_future = NOW + timedelta(days=3650)
    issued = issue(SECRET, email="owner@cabanas.ar", now=far_future, ttl=timedelta(hours=1))
    assert verify(SECRET, issued, now=far_future, max_ttl=TWELVE_HOURS).email == "owner@cabanas.ar"
    with pytest.raises(InvalidToken, match="issued in the future"):
        verify(SECRET, issued, now=NOW, max_ttl=TWELVE_HOURS)
