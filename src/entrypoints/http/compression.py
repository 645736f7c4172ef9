"""HTML answers compressed (gzip, level 1) when the browser accepts it and they are worth it;
every other answer goes out as it is. Litestar's compression middleware compresses whatever
it sees, so this one decides by the answer's media type first: the JSON API stays exactly as
it was (small bodies, clients that do not all send Accept-Encoding, and its CPU per request
measured against the reference), while the console's pages, the heaviest of them the 60-day
calendar, shrink to a fraction for a phone on a slow connection. It is set on the routers that
serve pages (the console's, the guest page's, the booking page's), not on the app: the JSON
API's requests do not pass through it at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from litestar.config.compression import CompressionConfig
from litestar.enums import CompressionEncoding
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression.middleware import CompressionMiddleware
from litestar.types import Message, Scope, Send

# Below this an answer is sent as it is (compressing a tiny page costs more than it saves).
MINIMUM_BYTES = 1024
# zlib's fastest level: our HTML is repetitive, so the 60-day calendar's 174 KB already go out
# as 12.7 KB (level 5: 11.5 KB for about 0.4 ms more CPU per page, measured with
# benchmarks.console); CPU is what the console's p95 is short of.
GZIP_LEVEL = 1


class HtmlCompressionMiddleware(CompressionMiddleware):
    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        chosen: Send | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal chosen
            if chosen is None and message["type"] == "http.response.start":
                chosen = compressing if _is_html(message) else send
            await (chosen or send)(message)

        return send_wrapper


def _is_html(message: Message) -> bool:
    headers: Iterable[tuple[bytes, bytes]] = message.get("headers") or ()  # type: ignore[assignment]
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.lower().startswith(b"text/html")
    return False


def html_compression() -> CompressionConfig:
    return CompressionConfig(
        backend="gzip",
        minimum_size=MINIMUM_BYTES,
        gzip_compress_level=GZIP_LEVEL,
        middleware_class=HtmlCompressionMiddleware,
    )


def html_pages() -> DefineMiddleware:
    """The middleware for a router of pages."""
    return DefineMiddleware(HtmlCompressionMiddleware, config=html_compression())
