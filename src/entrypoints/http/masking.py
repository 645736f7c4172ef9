"""PII masking for anything a guest's code (or a log line) can reveal."""

from __future__ import annotations

from domain.booking.guest_name import name_words


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
    """``Juana Pérez`` → ``Juana P.``: the first name and the surname's initial, enough to
    recognise one's own booking. The surname is the last word ("María José O'Neill-Núñez" →
    ``María O.``); emoji, digits and symbols are no words (``Juana Pérez 😀`` → ``Juana P.``)."""
    words = name_words(name)
    if len(words) <= 1:
        return words[0] if words else ""
    return f"{words[0]} {words[-1][0]}."
