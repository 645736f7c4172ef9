"""Shared declarations of path and query parameters, bounded to what the database can hold.

An integer parameter without bounds reaches asyncpg as a value a ``bigint`` cannot hold and
fails as a 500; declared with these, it is a 400 naming the parameter before any handler runs.
``tests/unit/entrypoints/test_parameter_bounds.py`` checks every integer parameter is bounded."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter

# PostgreSQL bigint, every id column. (msgspec, which checks these, takes only bounds that fit
# in an int64; the OpenAPI document writes the bound as a float, rounded up to 2**63.)
BIGINT_MAX = 2**63 - 1

# A row id (``bigint generated always as identity``), in the path or the query string.
RowId = Annotated[int, Parameter(ge=1, le=BIGINT_MAX, description="Row id")]
OptionalRowId = Annotated[int | None, Parameter(ge=1, le=BIGINT_MAX, description="Row id")]
Offset = Annotated[int, Parameter(ge=0, le=BIGINT_MAX, description="Rows to skip")]
# The same bound for ids in a JSON body.
BodyRowId = Annotated[int, msgspec.Meta(ge=1, le=BIGINT_MAX)]
