"""The guest's reservation page a WhatsApp message points at: each message about a booking
carries the page's path, and the dispatcher makes it absolute with PUBLIC_BASE_URL when it sends
the free text (as owner alerts' console links, ``console_pages``). Templates, whose words are
fixed by WhatsApp's approval, go without it.

The page (``/r/{code}``) is served by ``entrypoints.http.guest.page``."""

from __future__ import annotations

from collections.abc import Sequence

from domain.codes import ReservationCode


def reservation(code: str) -> str:
    """``code``: stored or displayed (dashes are dropped)."""
    return f"/r/{code.replace('-', '')}"


def with_page(text: str, base_url: str, path: str | None) -> str:
    """The message as sent: its text, then the page's absolute address. Without a base URL
    (nothing to make it absolute with) the text goes alone."""
    if not path or not base_url:
        return text
    return f"{text}\n\nTu reserva, con todos los detalles: {base_url.rstrip('/')}{path}"


def with_pages(text: str, base_url: str, paths: Sequence[str]) -> str:
    """A message about several bookings: its text, then each one's page, by its code, in the
    order given. Without a base URL the text goes alone."""
    if not paths or not base_url:
        return text
    base = base_url.rstrip("/")
    lines = "\n".join(f"• {_display(path)}: {base}{path}" for path in paths)
    return f"{text}\n\nCada una, con todos los detalles:\n{lines}"


def _display(path: str) -> str:
    """``/r/7K3M9QXD2F10`` → "7K3M-9QXD-2F10", as the guest reads codes."""
    return ReservationCode(path.rsplit("/", 1)[-1]).display
