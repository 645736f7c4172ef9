"""``X-Hub-Signature-256`` of WhatsApp webhooks (spec §1.2): HMAC-SHA256 of the raw body with
the app secret, hex, after a ``sha256=`` prefix. Checked on the bytes as received — parsing and
re-serializing first breaks on emoji and accents."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str | None, header: str | None, body: bytes) -> str | None:
    """None when valid; otherwise why not."""
    if not secret:
        return "WHATSAPP_APP_SECRET is not configured, so nothing can be verified"
    if not header:
        return "the X-Hub-Signature-256 header is missing"
    if not header.startswith("sha256="):
        return "X-Hub-Signature-256 must start with sha256="
    if not hmac.compare_digest(sign(secret, body).encode(), header.strip().lower().encode()):
        return "the signature does not match"
    return None
