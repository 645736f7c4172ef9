"""Where our routes live, for code that has to spell one out: Location headers, the links in
the iCal export and in payment preferences, the CLI's messages, preflight's checks. The
router mounts the API at ``API_PREFIX``; nothing else writes the prefix by hand."""

from __future__ import annotations

API_PREFIX = "/api/v1"


def api_path(*parts: object) -> str:
    """``api_path("admin", "blocks", code)`` → ``/api/v1/admin/blocks/<code>``."""
    return "/".join([API_PREFIX, *[str(part).strip("/") for part in parts]])


def api_url(base: str, *parts: object) -> str:
    """The same path under an absolute base (``https://host``), trailing slash or not."""
    return base.rstrip("/") + api_path(*parts)
