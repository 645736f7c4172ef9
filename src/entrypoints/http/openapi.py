from __future__ import annotations

from http import HTTPStatus

from litestar.openapi.datastructures import ResponseSpec

from entrypoints.http.schemas import Problem


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Document error responses: every one is RFC 9457 problem JSON. Every operation may answer
    400 (a malformed body, header or parameter), so 400 is always documented."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=f"{HTTPStatus(status).phrase} (application/problem+json)",
            media_type="application/problem+json",
        )
        for status in sorted({400, *statuses})
    }
