"""Every integer the API reads — path, query or body — is bounded in its schema, so a value a
bigint column cannot hold is refused as a 4xx before it reaches PostgreSQL (it was a 500)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

BIGINT_END = 2**63


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    # Building the app and its schema connects to nothing.
    settings = Settings(
        database_url="postgresql://u@127.0.0.1:1/x", redis_url="redis://127.0.0.1:1"
    )
    schema: dict[str, Any] = create_app(
        make_container(settings), settings
    ).openapi_schema.to_schema()
    return schema


def _integers(
    schema: dict[str, Any], components: dict[str, Any], where: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each integer schema inside ``schema`` (following $refs), with where it was found."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        yield from _integers(components[name], components, f"{where}→{name}")
        return
    kinds = [schema.get("type")] + [o.get("type") for o in schema.get("oneOf", [])]
    if "integer" in kinds:
        yield where, schema
    for name, prop in schema.get("properties", {}).items():
        yield from _integers(prop, components, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _integers(schema[key], components, f"{where}[]")
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        if option.get("type") != "integer":
            yield from _integers(option, components, where)


def _inputs(openapi: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    components = openapi["components"]["schemas"]
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                yield from _integers(p["schema"], components, f"{method} {path} {p['name']}")
            for content in op.get("requestBody", {}).get("content", {}).values():
                yield from _integers(content["schema"], components, f"{method} {path} body")


def test_the_api_reads_integers(openapi: dict[str, Any]) -> None:
    assert len(list(_inputs(openapi))) >= 15  # the walk finds them (ids, limits, body fields)


def test_every_integer_input_has_an_upper_bound_a_bigint_holds(openapi: dict[str, Any]) -> None:
    unbounded = [
        where
        for where, schema in _inputs(openapi)
        if not (
            # a float in the schema: 2**63 - 1 is written rounded up to 2**63
            schema.get("maximum", BIGINT_END + 1) <= BIGINT_END
            or schema.get("exclusiveMaximum", BIGINT_END + 1) <= BIGINT_END
        )
    ]
    assert unbounded == []
