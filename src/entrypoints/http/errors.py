"""The one mapping from errors to RFC 9457 problem details. Handlers never build error bodies."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.exceptions.base_exceptions import SerializationException
from litestar.types import ExceptionHandlersMap

from application.errors import (
    IntegrationError,
    StorageError,
    StorageUnavailable,
    TransientStorageError,
)
from domain.errors import Conflict, DomainError, NotFound, RuleViolation, TooManyHolds
from domain.payments.errors import UnrecordedRefundFound
from entrypoints.http.head import allowed_headers
from entrypoints.http.schemas import Problem

PROBLEM_JSON = "application/problem+json"
MAX_BODY_KIB = 64  # the app's request_max_body_size, in KiB
log = logging.getLogger("cabanas.http")

_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (TooManyHolds, 429),
    (RuleViolation, 422),
    (NotFound, 404),
    (Conflict, 409),
)


def request_path(request: Request[Any, Any, Any]) -> str:
    """``request.url.path`` without building the URL (its host, port and query)."""
    scope = request.scope
    return scope.get("root_path", "") + scope["path"]


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> Problem:
    phrase = HTTPStatus(status).phrase
    slug = code or phrase.lower().replace(" ", "_").replace("-", "_")
    return Problem(
        type=f"urn:cabanas:problem:{slug}",
        title=phrase,
        status=status,
        detail=detail,
        instance=instance,
        code=slug,
        errors=errors,
    )


def _response(p: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(p),
        status_code=p.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def domain_status(exc: DomainError) -> int:
    for kind, status in _DOMAIN_STATUS:
        if isinstance(exc, kind):
            return status
    return 422


_FORMAT_HINTS = {
    "guest_phone": "must be an E.164 phone number, e.g. +5491155551234",
    "guest_email": "must be an email address, e.g. juana@example.com",
}


# "Object missing required field `check_in`", "Object contains unknown field `x`",
# "Expected `int`, got `str` - at `$.guests`".
_NAMED_FIELD = re.compile(r"(?:field|at) `([^`]+)`")


def _friendly(field: str, message: str) -> str:
    if "matching regex" in message and field in _FORMAT_HINTS:
        return _FORMAT_HINTS[field]
    return message


def _public_name(request: Request[Any, Any, Any], field: str) -> str:
    """The name the client sent (``from``), not the handler's argument (``start``)."""
    try:
        parameter = request.route_handler.parsed_fn_signature.parameters.get(field)
    except (KeyError, AttributeError):  # no handler resolved (an error before routing)
        return field
    alias = getattr(getattr(parameter, "kwarg_definition", None), "name", None)
    return alias if isinstance(alias, str) and alias else field


def _source(error: dict[str, Any]) -> str:
    return str(getattr(error.get("source"), "value", error.get("source", "")))


def _every_body_error(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """Each field of a JSON object body that its Struct refuses, in the Struct's order: missing,
    of the wrong type or value, or unknown. msgspec stops at the first; a client fixing one
    field at a time deserves the whole list. Empty when the body is no object, or the refusal
    is the Struct's own check across fields (then the decoder's one message stands)."""
    body = getattr(getattr(request, "_connection_state", None), "body", None)
    try:
        data = request.route_handler.parsed_fn_signature.parameters.get("data")
    except (KeyError, AttributeError):
        return []
    target = getattr(data, "annotation", None)
    if not isinstance(body, bytes) or not (
        isinstance(target, type) and issubclass(target, msgspec.Struct)
    ):
        return []
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return []
    if not isinstance(raw, dict):
        return []
    found = []
    fields = msgspec.structs.fields(target)
    for f in fields:
        if f.encode_name not in raw:
            if f.required:
                found.append(f"Object missing required field `{f.encode_name}`")
            continue
        try:
            # As lenient as the route's own decoding ("2" for an int passes there too).
            msgspec.convert(raw[f.encode_name], type=f.type, strict=False)
        except msgspec.ValidationError as err:
            # "… - at `$[0]`" inside the field's value becomes "… - at `$.field[0]`".
            said, within, inner = str(err).partition(" - at `$")
            found.append(f"{said} - at `$.{f.encode_name}{inner.rstrip('`') if within else ''}`")
    if target.__struct_config__.forbid_unknown_fields:
        known = {f.encode_name for f in fields}
        found += [f"Object contains unknown field `{k}`" for k in raw if k not in known]
    return [{"key": "data", "message": m, "source": "body"} for m in found]


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Problem:
    extra = exc.extra if isinstance(exc.extra, list) else []
    if any(isinstance(e, dict) and _source(e) == "body" for e in extra):
        extra = _every_body_error(request) or extra
    errors = []
    for e in extra:
        if not isinstance(e, dict):
            continue
        field, message = str(e.get("key", "")), str(e.get("message", ""))
        if field == "data":  # msgspec names the body; the message names the field
            named = _NAMED_FIELD.search(message)
            field = named.group(1).removeprefix("$.") if named else field
        else:
            field = _public_name(request, field)
        errors.append(
            {
                "field": field,
                "source": _source(e),
                "message": _friendly(field, message),
            }
        )
    path = request_path(request)
    in_body = any(e["source"] == "body" for e in errors)
    if in_body and not (len(errors) == 1 and errors[0]["message"] == "'data'"):
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(
            422,
            f"invalid request body — {detail}",
            code="invalid_body",
            instance=path,
            errors=errors,
        )
    if in_body:
        return problem(400, "a JSON request body is required", code="missing_body", instance=path)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or exc.detail
    sources = {e["source"] for e in errors}
    where = "header" if sources == {"header"} else "query or path parameter"
    return problem(
        400,
        f"invalid {where} — {detail}",
        code="invalid_parameter",
        instance=path,
        errors=errors or None,
    )


def _too_deep(exc: BaseException) -> bool:
    """msgspec's decoder gives up on deeply nested JSON with a ``RecursionError`` (raised as is,
    or as the cause of Litestar's own exception): bad input, not a server fault."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, RecursionError) and "deserializing" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _domain(request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    path = request_path(request)
    if isinstance(exc, TooManyHolds):
        body = problem(429, exc.message, code=exc.code, instance=path)
        body.limit, body.limit_value = exc.limit, exc.value
        return _response(body, headers={"Retry-After": str(exc.retry_after_s)})
    errors = [{"field": exc.field, "source": "body", "message": exc.message}] if exc.field else None
    body = problem(domain_status(exc), exc.message, code=exc.code, instance=path, errors=errors)
    if isinstance(exc, UnrecordedRefundFound):
        body.found_amount_cents = exc.found.cents
        body.recorded_amount_cents = exc.recorded_amount.cents
    return _response(body)


def _invalid(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    return _response(_validation(request, exc))


def _not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[bytes]:
    path = request_path(request)
    detail = exc.detail if exc.detail != "Not Found" else f"no resource at {path}"
    return _response(problem(404, detail, instance=path))


def _not_allowed(
    request: Request[Any, Any, Any], exc: MethodNotAllowedException
) -> Response[bytes]:
    path = request_path(request)
    return _response(
        problem(405, f"{request.method} is not allowed on {path}", instance=path),
        headers=allowed_headers(exc),
    )


def _not_utf8(request: Request[Any, Any, Any], _: UnicodeDecodeError) -> Response[bytes]:
    return _response(_malformed(request, "the body is not valid UTF-8 JSON"))


def _malformed(request: Request[Any, Any, Any], detail: str) -> Problem:
    return problem(400, detail, code="malformed_json", instance=request_path(request))


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    path = request_path(request)
    if _too_deep(exc):
        return _response(_malformed(request, "malformed JSON: nested too deeply"))
    if exc.status_code == 413:
        return _response(
            problem(413, f"the request body is larger than {MAX_BODY_KIB} KiB", instance=path)
        )
    if isinstance(exc.__cause__, SerializationException):
        return _response(_malformed(request, f"malformed JSON: {exc.detail}"))
    # Every 429 has the code the rate limit's own answers have.
    code = "rate_limited" if exc.status_code == 429 else None
    return _response(
        problem(exc.status_code, exc.detail, code=code, instance=path), headers=exc.headers
    )


def _storage_busy(request: Request[Any, Any, Any], exc: StorageError) -> Response[bytes]:
    log.warning("storage temporarily unavailable: %s", type(exc).__name__)
    return _response(
        problem(
            503, "the service is briefly unavailable; please retry", instance=request_path(request)
        ),
        headers={"Retry-After": "2"},
    )


def _provider_down(request: Request[Any, Any, Any], exc: IntegrationError) -> Response[bytes]:
    """A provider (Mercado Pago) failed during a request that needs it (an owner's refund):
    nothing was recorded; the same request again is safe (it carries its key)."""
    log.warning("provider call failed: %s", type(exc).__name__)
    return _response(
        problem(
            503,
            "the payment provider did not answer; nothing was recorded, retry the same request",
            code="provider_unavailable",
            instance=request_path(request),
        ),
        headers={"Retry-After": "5"},
    )


def _storage(request: Request[Any, Any, Any], exc: StorageError) -> Response[bytes]:
    log.error("storage error on %s %s: %s", request.method, request_path(request), exc)
    return _internal(request)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    if _too_deep(exc):
        return _response(_malformed(request, "malformed JSON: nested too deeply"))
    log.exception("unhandled error on %s %s", request.method, request_path(request))
    return _internal(request)


def _internal(request: Request[Any, Any, Any]) -> Response[bytes]:
    # Never a stack trace or SQL in the body.
    message = "an internal error occurred; it has been logged"
    return _response(problem(500, message, instance=request_path(request)))


# Litestar picks the handler of the nearest class in the exception's MRO.
EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _domain,
    ValidationException: _invalid,
    NotFoundException: _not_found,
    MethodNotAllowedException: _not_allowed,
    HTTPException: _http,
    UnicodeDecodeError: _not_utf8,
    StorageUnavailable: _storage_busy,
    TransientStorageError: _storage_busy,
    StorageError: _storage,
    IntegrationError: _provider_down,
    Exception: _unexpected,
}


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The map, for callers that register one handler for every exception."""
    kind = next(k for k in type(exc).__mro__ if k in EXCEPTION_HANDLERS)
    response: Response[bytes] = EXCEPTION_HANDLERS[kind](request, exc)
    return response
