"""Who is asking: the session cookie, the guard on every console route, and roles.

Every console route is **owner-only unless its handler says otherwise** with
``opt={"staff": True}`` (staff may use it too) or ``opt={"public": True}`` (no session needed:
signing in, accepting an invitation). The guard runs before the handler, resolves the session
through the same use case for every route (``CurrentUser``) and leaves the person in
``request.state.console_user``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from application.accounts.sessions import CurrentUser
from application.ports.accounts import User
from domain.accounts import Role
from entrypoints.http.console.rendering import PREFIX
from entrypoints.settings import Settings

SESSION_COOKIE = "cabanas_sesion"
SIGN_IN_PATH = f"{PREFIX}/ingresar"


class SignInRequired(NotAuthorizedException):
    """No live session: the console answers with the sign-in page, then returns to ``back``."""

    def __init__(self, back: str | None) -> None:
        super().__init__("sign in first")
        self.back = back


async def console_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    if handler.opt.get("public"):
        return
    token = connection.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        current: CurrentUser = await connection.state.dishka_container.get(CurrentUser)
        user = await current(token)
    if user is None:
        raise SignInRequired(_come_back_to(connection))
    connection.state.console_user = user
    if user.role is not Role.OWNER and not handler.opt.get("staff"):
        raise PermissionDeniedException("owners only")


def _come_back_to(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """Where to return after signing in: the page asked for, or for a form posted after the
    session ended, the page the form was on (its input is not kept: it was never accepted)."""
    if connection.scope.get("method") == "GET":
        query = connection.scope.get("query_string", b"").decode("latin-1")
        return connection.url.path + (f"?{query}" if query else "")
    referer = urlsplit(connection.headers.get("referer", ""))
    if referer.netloc and referer.netloc != connection.url.netloc:
        return None
    back = referer.path + (f"?{referer.query}" if referer.query else "")
    return back if back.startswith(f"{PREFIX}/") else None


def console_user(request: Request[Any, Any, Any]) -> User:
    user: User = request.state.console_user
    return user


def is_owner(request: Request[Any, Any, Any]) -> bool:
    return console_user(request).role is Role.OWNER


def safe_next(raw: str | None) -> str:
    """Only a console path of ours: never another site (an open redirect)."""
    if raw and raw.startswith(f"{PREFIX}/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return f"{PREFIX}/"


def sign_in_url(back: str | None) -> str:
    return SIGN_IN_PATH + (f"?siguiente={quote(back, safe='')}" if back else "")


def sign_in_redirect(back: str | None) -> Response[None]:
    return Response(None, status_code=303, headers={"Location": sign_in_url(back)})


def session_cookie(settings: Settings, token: str | None) -> Cookie:
    """The session's cookie (``token`` None: one that deletes it)."""
    secure = settings.environment == "production" or settings.force_https
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        path=PREFIX,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(settings.console_session_absolute_days * 86400) if token else 0,
    )
