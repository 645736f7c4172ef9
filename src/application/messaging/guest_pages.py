"""The guest's reservation page a WhatsApp message points at: each message about a booking
carries the page's path, and the dispatcher makes it absolute with PUBLIC_BASE_URL when it sends
the free text (as owner alerts' console links, ``console_pages``). Templates, whose words are
fixed by WhatsApp's approval, go without it.

The page (``/r/{code}``) is served by ``entrypoints.http.guest.page``."""

from __future__ import annotations


def reservation(code: str) -> str:
    """``code``: stored or displayed (dashes are dropped)."""
    return f"/r/{code.replace('-', '')}"


def with_page(text: str, base_url: str, path: str | None) -> str:
    """The message as sent: its text, then the page's absolute address. Without a base URL
    (nothing to make it absolute with) the text goes alone."""
    if not path or not base_url:
        return text
    return f"{text}\n\nTu reserva, con todos los detalles: {base_url.rstrip('/')}{path}"
