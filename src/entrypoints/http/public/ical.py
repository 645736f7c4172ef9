"""iCal: our export feed (``GET /ical/{token}.ics``), and the owner's imports of other channels'
feeds (``POST /ical/import`` and ``/admin/ical/…``, admin JWT)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, delete, get, head, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter

from adapters.ical.export import FeedEntry, render_calendar
from application.back_office.queue_items import DismissCollision
from application.calendar_sync.feeds import (
    DeleteFeed,
    ExportCalendar,
    ImportFeed,
    ListConflicts,
    ListFeeds,
)
from application.calendar_sync.sync_feeds import FeedResult, SyncFeed
from application.ports.calendars import Conflict, Feed
from application.ports.export_tokens import ExportTokens
from domain.calendar_sync.export import AUDIENCES, ExportAddress
from domain.calendar_sync.external_calendar import ExternalSource
from domain.errors import FeedUnreachable, NoHeldRelease
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.openapi import problems
from entrypoints.http.params import OptionalRowId, RowId
from entrypoints.urls import api_path, api_url

PRODID = "-//Cabanas//Reservas 1.0//ES"
# Last-Modified of a calendar that never changed.
NEVER_CHANGED = datetime(2026, 1, 1, tzinfo=UTC)


def export_urls(tokens: ExportTokens, base: str, accommodation_id: int) -> dict[str, str]:
    """Each audience's export address of a cabin, under the public base URL."""
    return {
        audience: api_url(
            base, "ical", f"{tokens.token(ExportAddress(accommodation_id, audience))}.ics"
        )
        for audience in AUDIENCES
    }


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def _not_modified_since(header: str | None, last: datetime) -> bool:
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last.replace(microsecond=0) <= since


class ExportController(Controller):
    path = "/ical"
    tags = ["ical"]

    @get(
        "/{filename:str}",
        summary="This cabin's calendar (RFC 5545; no guest data). The URL is the secret.",
        media_type="text/calendar",
        responses=problems(404),
    )
    @inject
    async def export(
        self,
        filename: FromPath[str],
        request: Request[Any, Any, Any],
        use_case: FromDishka[ExportCalendar],
    ) -> Response[bytes]:
        body, headers = await _export(filename, use_case)
        if _not_modified(request, headers):
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type="text/calendar", headers=headers)

    @head(
        "/{filename:str}",
        summary="The export's headers without its body (calendar clients probe with HEAD)",
        media_type="text/calendar",
        responses=problems(404),
    )
    @inject
    async def probe(
        self,
        filename: FromPath[str],
        request: Request[Any, Any, Any],
        use_case: FromDishka[ExportCalendar],
    ) -> Response[None]:
        body, headers = await _export(filename, use_case)
        status = 304 if _not_modified(request, headers) else 200
        if status == 200:
            headers["Content-Length"] = str(len(body))
        return Response(None, status_code=status, media_type="text/calendar", headers=headers)


async def _export(filename: str, use_case: ExportCalendar) -> tuple[bytes, dict[str, str]]:
    export = await use_case(filename.removesuffix(".ics")) if filename.endswith(".ics") else None
    if export is None or export.name is None:
        raise NotFoundException(detail="no calendar at this address")
    entries = [FeedEntry(e.uid, e.stay, e.summary, e.updated_at) for e in export.events]
    body = render_calendar(entries, prodid=PRODID, name=export.name)
    last = (export.last_change or NEVER_CHANGED).astimezone(UTC)
    headers = {
        "ETag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        "Last-Modified": format_datetime(last.replace(microsecond=0), usegmt=True),
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    return body, headers


def _not_modified(request: Request[Any, Any, Any], headers: dict[str, str]) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, headers["ETag"])
    last = parsedate_to_datetime(headers["Last-Modified"])
    return _not_modified_since(request.headers.get("if-modified-since"), last)


class ImportRequest(msgspec.Struct, forbid_unknown_fields=True):
    accommodation_id: Annotated[int, msgspec.Meta(ge=1, le=2**62)]
    source: ExternalSource
    url: Annotated[str, msgspec.Meta(min_length=8, max_length=2000)]


class FeedView(msgspec.Struct):
    id: int
    accommodation_id: int
    source: str
    url: str  # the query string (Airbnb's secret) is never shown back
    enabled: bool
    events_count: int
    last_synced_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    created_at: datetime
    # Nights a suspicious answer would free, kept blocked until it is confirmed (0: none);
    # POST /admin/ical/feeds/{id}/release applies it.
    held_release: int
    held_release_since: datetime | None
    held_release_seen: int


class SyncView(msgspec.Struct):
    outcome: str
    placed: int
    released: int
    waiting: int
    conflicts: int
    unreadable: int  # events the feed holds that could not be read (see the feed's last_error)
    warnings: int  # events read with a repair (an invalid DURATION keeps the first night)
    held_release: int  # nights this answer would free, held by the release guard (0: none)
    error: str | None


class ImportView(msgspec.Struct):
    feed: FeedView
    sync: SyncView


class DismissRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ConflictView(msgspec.Struct):
    id: int
    feed_id: int
    source: str
    accommodation_id: int
    uid: str
    check_in: str
    check_out: str
    other_reservation: str
    detected_at: datetime


def shown_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "…" if parts.query else "", ""))


def feed_view(f: Feed) -> FeedView:
    return FeedView(
        f.id,
        f.accommodation_id,
        f.source.value,
        shown_url(f.url),
        f.enabled,
        f.events_count,
        f.last_synced_at,
        f.last_success_at,
        f.last_error,
        f.created_at,
        f.held_release.nights if f.held_release else 0,
        f.held_release.since if f.held_release else None,
        f.held_release.seen if f.held_release else 0,
    )


def sync_view(r: FeedResult) -> SyncView:
    return SyncView(
        r.outcome,
        r.placed,
        r.released,
        r.waiting,
        r.conflicts,
        r.unreadable,
        r.warnings,
        r.held_release,
        r.error,
    )


def conflict_view(c: Conflict) -> ConflictView:
    return ConflictView(
        c.id,
        c.feed_id,
        c.source.value,
        c.accommodation_id,
        c.uid,
        c.stay.check_in.isoformat(),
        c.stay.check_out.isoformat(),
        c.other_code,
        c.detected_at,
    )


class ImportController(Controller):
    path = "/ical/import"
    tags = ["ical", "admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @post(
        "/",
        summary="Register another channel's feed for a cabin; fetched and applied at once",
        status_code=201,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def import_feed(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ImportRequest],
        use_case: FromDishka[ImportFeed],
    ) -> Response[ImportView]:
        feed, result = await use_case(
            data.accommodation_id, data.source, data.url.strip(), current_admin(request).email
        )
        return Response(
            ImportView(feed_view(feed), sync_view(result)),
            status_code=201,
            headers={"Location": api_path("admin", "ical", "feeds", feed.id)},
        )


class AdminFeedController(Controller):
    path = "/admin/ical"
    tags = ["ical", "admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get("/feeds", summary="Imported feeds and their sync state", responses=problems(400, 401, 403))
    @inject
    async def list_feeds(
        self,
        use_case: FromDishka[ListFeeds],
        accommodation_id: OptionalRowId = None,
    ) -> list[FeedView]:
        return [feed_view(f) for f in await use_case(accommodation_id)]

    @delete(
        "/feeds/{feed_id:int}",
        summary="Stop importing a feed; its nights are released",
        status_code=204,
        responses=problems(400, 401, 403, 404),
    )
    @inject
    async def delete_feed(
        self,
        request: Request[Any, Any, Any],
        feed_id: RowId,
        use_case: FromDishka[DeleteFeed],
    ) -> None:
        await use_case(feed_id, current_admin(request).email)

    @post(
        "/feeds/{feed_id:int}/sync",
        summary="Sync one feed now",
        status_code=200,
        responses=problems(400, 401, 403, 404),
    )
    @inject
    async def sync_feed(self, feed_id: RowId, use_case: FromDishka[SyncFeed]) -> SyncView:
        return sync_view(await use_case(feed_id))

    @post(
        "/feeds/{feed_id:int}/release",
        summary="Confirm the release a feed holds: fetch it again and, if it still gives the "
        "same answer, free the nights (audited)",
        status_code=200,
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def confirm_release(
        self,
        request: Request[Any, Any, Any],
        feed_id: RowId,
        use_case: FromDishka[SyncFeed],
    ) -> SyncView:
        result = await use_case(feed_id, confirm_by=current_admin(request).email)
        if result.outcome == "failed":
            raise FeedUnreachable(
                f"the feed could not be fetched again ({result.error}); nothing was released"
            )
        if result.held_release:
            raise NoHeldRelease(
                "the feed's answer changed since its release was held; nothing was released and "
                "the new answer is held: look at the feed again and confirm it if it is right"
            )
        return sync_view(result)

    @get(
        "/conflicts",
        summary="Cross-channel collisions, newest first",
        responses=problems(400, 401, 403),
    )
    @inject
    async def conflicts(
        self,
        use_case: FromDishka[ListConflicts],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[ConflictView]:
        return [conflict_view(c) for c in await use_case(limit)]

    @post(
        "/conflicts/{conflict_id:int}/dismiss",
        status_code=204,
        summary="Dismiss a collision, with a reason (audited); it leaves the action queue",
        responses=problems(401, 403, 404, 422),
    )
    @inject
    async def dismiss_conflict(
        self,
        request: Request[Any, Any, Any],
        conflict_id: RowId,
        data: JSONBody[DismissRequest],
        use_case: FromDishka[DismissCollision],
    ) -> None:
        await use_case(conflict_id, data.reason, current_admin(request).email)
