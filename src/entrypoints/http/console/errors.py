"""Errors as pages: the console never shows problem JSON or a stack trace.

``console_exception`` handles everything raised under /panel (the app's own handler sends
/panel paths here too, e.g. an unknown page). Business errors (``DomainError``) raised by a
form's use case are normally caught by that form's handler and re-rendered with the input
kept; what reaches this module is an error page.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    PermissionDeniedException,
)

from application.errors import StorageUnavailable, TransientStorageError
from domain.errors import DomainError, NotFound
from entrypoints.http.console.auth import (
    SignInRequired,
    safe_next,
    sign_in_redirect,
    sign_in_url,
)
from entrypoints.http.console.rendering import page
from entrypoints.http.head import allowed_headers
from entrypoints.logs import trace_id_var

log = logging.getLogger("cabanas.console")

CSRF_FAILED = "CSRF token verification failed"


def console_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, SignInRequired):
        if request.headers.get("hx-request"):
            # An htmx refresh must not swap the sign-in page into a fragment: the whole page
            # goes to sign-in (and comes back to the page it was on).
            back = request.headers.get("hx-current-url", "")
            target = sign_in_url(safe_next(urlsplit(back).path or None))
            return Response(None, status_code=204, headers={"HX-Redirect": target})
        return sign_in_redirect(exc.back)
    if isinstance(exc, PermissionDeniedException):
        cross_site = exc.detail == CSRF_FAILED
        return page(
            request,
            "error.html",
            status=403,
            title="Sin permiso",
            heading="No podés hacer esto",
            message=(
                "El formulario venció o llegó desde otro sitio. Volvé a la página, recargala "
                "y probá de nuevo."
                if cross_site
                else "Esta página es solo para la dueña o el dueño. Si la necesitás, pedíselo."
            ),
            trace_id=None,
        )
    if isinstance(exc, (NotFoundException, NotFound)):
        return page(
            request,
            "error.html",
            status=404,
            title="No encontrada",
            heading="No encontramos esa página",
            message="Puede que el enlace esté mal o que eso ya no exista.",
            trace_id=None,
        )
    if isinstance(exc, DomainError):
        return page(
            request,
            "error.html",
            status=422,
            title="No se pudo",
            heading="No se pudo hacer",
            message="Revisá los datos y probá de nuevo.",
            trace_id=None,
        )
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return page(
            request,
            "error.html",
            status=exc.status_code,
            # A 405 names the methods the address takes (RFC 9110 §15.5.6), as the API's does.
            headers=allowed_headers(exc) if isinstance(exc, MethodNotAllowedException) else None,
            title="Pedido inválido",
            heading="No pudimos entender el pedido",
            message="Volvé a la página anterior y probá de nuevo.",
            trace_id=None,
        )
    if isinstance(exc, (StorageUnavailable, TransientStorageError)):
        log.warning("console: storage temporarily unavailable: %s", type(exc).__name__)
        status, heading = 503, "El sistema está ocupado"
    else:
        log.exception("console: unhandled error on %s %s", request.method, request.url.path)
        status, heading = 500, "Algo salió mal"
    return page(
        request,
        "error.html",
        status=status,
        title=heading,
        heading=heading,
        message=(
            "No es tu culpa. Probá de nuevo en un rato; si sigue pasando, avisá con este código."
        ),
        trace_id=trace_id_var.get(),
    )
