"""A calendar host on 127.0.0.1 serving synthesized Airbnb / Booking / Google feeds, with ETags
(and 304s), redirects, failures and slow answers on demand."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.params import FromPath


def ics(
    events: list[tuple[str, date, date, str]],
    *,
    prodid: str = "-//Airbnb Inc//Hosting Calendar 1.0//EN",
    newline: str = "\r\n",
    leading_blank: bool = False,
) -> bytes:
    """A feed shaped like the real exports (spec §3.1): (uid, start, end, summary) per event."""
    lines = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "VERSION:2.0"]
    for uid, start, end, summary in events:
        lines += [
            "BEGIN:VEVENT",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",  # Airbnb writes DTEND first
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"UID:{uid}",
            f"SUMMARY:{summary}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    text = newline.join(lines) + newline
    return ((newline if leading_blank else "") + text).encode()


@dataclass
class FakeCalendarHost:
    feeds: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    failing: dict[str, int] = field(default_factory=dict)  # path -> HTTP status
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds before answering
    # path -> an event the answer waits for (set by the test; 30 s at most)
    gates: dict[str, threading.Event] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, If-None-Match)
    url: str = ""

    def reset(self) -> None:
        self.feeds.clear()
        self.redirects.clear()
        self.failing.clear()
        self.delays.clear()
        for gate in self.gates.values():
            gate.set()
        self.gates.clear()
        self.requests.clear()

    def app(self) -> Litestar:
        host = self

        @get("/{name:str}", media_type="text/calendar")
        async def feed(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
            host.requests.append((name, request.headers.get("if-none-match")))
            if name in host.delays:
                await asyncio.sleep(host.delays[name])
            if name in host.gates:
                await asyncio.to_thread(host.gates[name].wait, 30)
            if name in host.redirects:
                return Response(b"", status_code=302, headers={"Location": host.redirects[name]})
            if name in host.failing:
                return Response(b"oops", status_code=host.failing[name])
            body = host.feeds.get(name)
            if body is None:
                return Response(b"not found", status_code=404)
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            if request.headers.get("if-none-match") == etag:
                return Response(b"", status_code=304, headers={"ETag": etag})
            return Response(body, media_type="text/calendar", headers={"ETag": etag})

        return Litestar([feed], logging_config=None)
