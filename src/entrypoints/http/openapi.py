from __future__ import annotations

from http import HTTPStatus

from litestar.openapi.datastructures import ResponseSpec

from entrypoints.http.schemas import Problem


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Document error responses: every one is RFC 9457 problem JSON."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=f"{HTTPStatus(status).phrase} (application/problem+json)",
            media_type="application/problem+json",
        )
        for status in statuses
    }
