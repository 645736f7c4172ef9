"""PII masking for anything a guest's code (or a log line) can reveal."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """``+5491155551234`` → ``+549*******34``: country prefix and the last two digits."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


def mask_email(email: str | None) -> str | None:
    if email is None:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_name(name: str) -> str:
    """``Juana Pérez`` → ``Juana P.``: enough to recognise one's own booking."""
    parts = name.split()
    if len(parts) <= 1:
        return name
    return f"{parts[0]} " + " ".join([f"{p[0]}." for p in parts[1:]])
