"""SMTP_URL: ``smtp+starttls://`` (STARTTLS, port 587 by default), ``smtps://`` (TLS from the
start, 465) or, not in production, plain ``smtp://`` (25); user and password in the URL's
user-info part, percent-encoded."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ENCRYPTED_SCHEMES = frozenset({"smtps", "smtp+starttls"})
_DEFAULT_PORTS = {"smtps": 465, "smtp+starttls": 587, "smtp": 25}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None

    @property
    def encrypted(self) -> bool:
        return self.scheme in ENCRYPTED_SCHEMES


def parse_smtp_url(url: str) -> SmtpServer:
    """Raises ValueError naming what is wrong (never echoing the password)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("SMTP_URL must start with smtp+starttls://, smtps:// or smtp://")
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError("SMTP_URL has an invalid port") from None
    return SmtpServer(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
