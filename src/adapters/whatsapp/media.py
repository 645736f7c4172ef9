"""A guest's media through the Graph API (spec §1.8): ``GET /{version}/{media-id}`` gives a
short-lived ``url`` with the file's type and size; the file is downloaded from that url with
the same bearer token, never more than the caller's limit."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import msgspec

from application.errors import IntegrationError
from application.ports.receipts import MediaInfo

_CHUNK = 64 * 1024


class _Media(msgspec.Struct):
    url: str
    mime_type: str = ""
    file_size: int | None = None


class GraphMediaDownloader:
    """``api_base_url``: the Graph API's origin (a media url on that origin may be plain
    http — a local test server; anywhere else only https is fetched)."""

    def __init__(self, client: httpx.AsyncClient, token: str, version: str, api_base_url: str):
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}
        self._version = version
        self._origin = urlsplit(api_base_url)

    async def describe(self, media_id: str) -> MediaInfo:
        if not media_id.isalnum() or len(media_id) > 128:
            raise IntegrationError("not a media id", retryable=False)
        response = await self._get(f"/{self._version}/{media_id}")
        try:
            media = msgspec.json.decode(response.content, type=_Media)
        except msgspec.DecodeError as exc:
            raise IntegrationError("unexpected Graph API media answer", retryable=True) from exc
        return MediaInfo(media.url, media.mime_type, media.file_size)

    async def fetch(self, info: MediaInfo, max_bytes: int) -> bytes | None:
        url = urlsplit(info.url)
        same_origin = (url.scheme, url.netloc) == (self._origin.scheme, self._origin.netloc)
        if url.scheme != "https" and not same_origin:
            raise IntegrationError("the media url is not https", retryable=False)
        data = bytearray()
        try:
            async with self._client.stream("GET", info.url, headers=self._headers) as response:
                if response.status_code >= 400:
                    raise IntegrationError(
                        f"the media download answered {response.status_code}",
                        retryable=response.status_code >= 500,
                    )
                async for chunk in response.aiter_bytes(_CHUNK):
                    data += chunk
                    if len(data) > max_bytes:
                        return None
        except httpx.HTTPError as exc:
            raise IntegrationError(
                f"media download failed ({type(exc).__name__})", retryable=True
            ) from exc
        return bytes(data)

    async def _get(self, path: str) -> httpx.Response:
        try:
            response = await self._client.get(path, headers=self._headers)
        except httpx.HTTPError as exc:
            raise IntegrationError(
                f"Graph API unreachable ({type(exc).__name__})", retryable=True
            ) from exc
        if response.status_code >= 400:
            raise IntegrationError(
                f"Graph API answered {response.status_code} for a media id",
                retryable=response.status_code >= 500,
                code=str(response.status_code),
            )
        return response


class MediaDisabled:
    """No WhatsApp token: there is no media to fetch."""

    async def describe(self, media_id: str) -> MediaInfo:
        raise IntegrationError("WhatsApp is not configured", retryable=False)

    async def fetch(self, info: MediaInfo, max_bytes: int) -> bytes | None:
        raise IntegrationError("WhatsApp is not configured", retryable=False)
