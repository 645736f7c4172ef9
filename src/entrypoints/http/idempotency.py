"""Idempotency-Key at the HTTP edge, for every POST that takes one: the header, the request's
fingerprint, and the answer to a repeated key (``Idempotent-Replayed: true``). The use cases
decide what a key means (``BookOnline`` remembers the first answer, the ledger records once,
a bulk price change applies once); this is how those answers are spelled."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated

import msgspec
from litestar import Response
from litestar.params import HeaderParameter

REPLAYED = {"Idempotent-Replayed": "true"}


def _header(description: str) -> HeaderParameter:
    return HeaderParameter(
        name="Idempotency-Key", min_length=1, max_length=255, description=description
    )


# Optional: the same key and body replay the first response (a booking).
OptionalKey = Annotated[
    str | None,
    _header("Retry-safe key: the same key and body replay the first response (48 h)"),
]
# Required: an owner's write that must happen once (a double click, a retry).
RequiredKey = Annotated[
    str,
    _header(
        "Required: a repeated key (a double click, a retry) changes nothing again and is "
        "answered with Idempotent-Replayed: true"
    ),
]


def fingerprint(data: msgspec.Struct) -> str:
    """The request body's digest: the same key with another body is refused."""
    return fingerprint_of(msgspec.json.encode(data))


def fingerprint_of(encoded: bytes) -> str:
    """``fingerprint`` of a body already encoded (``msgspec.json.encode``)."""
    return hashlib.sha256(encoded).hexdigest()


def answer[T](
    body: T,
    *,
    replayed: bool,
    status: int,
    headers: Mapping[str, str] | None = None,
) -> Response[T]:
    """The response to a keyed request; a repeated key's says so in ``Idempotent-Replayed``."""
    return Response(
        body, status_code=status, headers={**(headers or {}), **(REPLAYED if replayed else {})}
    )


def remembered[T](stored: str | None, kind: type[T], *, status: int = 200) -> Response[T]:
    """A repeated key's answer, decoded from the body kept with the key."""
    return answer(msgspec.json.decode(stored or "{}", type=kind), replayed=True, status=status)
