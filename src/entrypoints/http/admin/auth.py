"""The admin guard: a Bearer JWT (HS256, JWT_SECRET) whose email is in ADMIN_ALLOWED_EMAILS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from adapters.security.jwt import AdminClaims, InvalidToken, verify
from entrypoints.settings import Settings

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cabanas-admin"'}


async def require_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    # A guard is not a handler (no injection): the settings create_app keeps on the app.
    settings: Settings = connection.app.state.settings
    if settings.jwt_secret is None or not settings.jwt_secret.reveal():
        raise NotAuthorizedException(
            "the admin API is disabled: JWT_SECRET is not configured", headers=_CHALLENGE
        )
    header = connection.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("a Bearer token is required", headers=_CHALLENGE)
    try:
        claims = verify(
            settings.jwt_secret.reveal(),
            token.strip(),
            now=datetime.now(UTC),
            max_ttl=timedelta(hours=settings.jwt_max_ttl_hours),
        )
    except InvalidToken as err:
        raise NotAuthorizedException(f"invalid token: {err}", headers=_CHALLENGE) from None
    allowed = {email.lower() for email in settings.admin_allowed_emails}
    if claims.email not in allowed:
        raise PermissionDeniedException(f"{claims.email} is not an administrator")
    connection.state.admin = claims


def current_admin(connection: ASGIConnection[Any, Any, Any, Any]) -> AdminClaims:
    claims: AdminClaims = connection.state.admin
    return claims
