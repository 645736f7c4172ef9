"""The console pages an owner alert points at: each alert carries the path of its subject's
page, and the dispatcher makes it absolute with PUBLIC_BASE_URL when it sends the alert (so the
link is right wherever the service is reached from at that moment).

The console (entrypoints/http/console) serves these paths; tests/e2e/test_console_pages.py
opens each one."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

CONSOLE = "/panel"
TODAY = f"{CONSOLE}/"
PAYMENTS = f"{CONSOLE}/pagos"
CHANNELS = f"{CONSOLE}/canales"
CONVERSATIONS = f"{CONSOLE}/conversaciones"


def reservation(code: str) -> str:
    """``code``: the stored form (no dashes)."""
    return f"{CONSOLE}/reservas/{code.replace('-', '')}"


def cabin(accommodation_id: int) -> str:
    """The cabin's page: its details, prices' link and its texts for the guests."""
    return f"{CONSOLE}/cabanas/{accommodation_id}"


def absolute(base_url: str, path: str) -> str | None:
    """The page's address on PUBLIC_BASE_URL (None without one)."""
    return f"{base_url.rstrip('/')}{path}" if base_url else None


def calendar(day: date) -> str:
    return f"{CONSOLE}/calendario?{urlencode({'desde': day.replace(day=1).isoformat()})}"


def manual_booking(accommodation_id: int | None, check_in: date, check_out: date) -> str:
    """``accommodation_id`` None: the form opens with no cabin chosen."""
    query: dict[str, object] = {"desde": check_in, "hasta": check_out}
    if accommodation_id is not None:
        query = {"cabana": accommodation_id, **query}
    return f"{CONSOLE}/reservas/nueva?{urlencode(query)}"


def with_link(text: str, base_url: str, path: str | None) -> str:
    """The alert as sent: its text, then the absolute address of its page (one line: WhatsApp
    template parameters take no line breaks)."""
    if not path:
        return text
    return f"{text} Miralo en el panel: {base_url.rstrip('/')}{path}"
