"""Signing in and out, accepting an invitation, and changing one's own password."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from application.accounts.invitations import AcceptInvitation, ShowInvitation
from application.accounts.sessions import SignIn, SignInThrottled, SignOut
from application.accounts.users import ChangePassword
from domain.errors import DomainError
from entrypoints.http.console.auth import (
    SESSION_COOKIE,
    SIGN_IN_PATH,
    console_user,
    safe_next,
    session_cookie,
)
from entrypoints.http.console.forms import read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.http.hardening import client_ip, trusted_ip_header
from entrypoints.settings import Settings

ConsoleRequest = Request[Any, Any, Any]
PUBLIC = {"public": True}
STAFF = {"staff": True}


def _errors_for(err: DomainError) -> dict[str, str]:
    return {err.field or "_form": spanish(err)}


class SignInController(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/ingresar", opt=PUBLIC)
    async def form(
        self, request: ConsoleRequest, siguiente: Annotated[str | None, QueryParameter()] = None
    ) -> Template:
        notice = "Listo: ya podés ingresar." if request.query_params.get("listo") else None
        return page(
            request,
            "sign_in.html",
            title="Ingresar",
            email=request.query_params.get("email", ""),
            next=safe_next(siguiente),
            errors={},
            notice=notice,
        )

    @post("/ingresar", opt=PUBLIC)
    @inject
    async def sign_in(
        self, request: ConsoleRequest, use_case: FromDishka[SignIn], settings: FromDishka[Settings]
    ) -> Response[Any]:
        form = await read_form(request)
        email, target = form.text("email", 320), safe_next(form.text("siguiente", 2000))
        address = client_ip(request.scope, trusted_ip_header(settings))
        try:
            signed_in = await use_case(email, form.text("password", 1024), address)
        except DomainError as err:
            wait = err.retry_after_s if isinstance(err, SignInThrottled) else None
            return page(
                request,
                "sign_in.html",
                status=400 if wait is None else 429,
                headers=None if wait is None else {"Retry-After": str(wait)},
                title="Ingresar",
                email=email,
                next=target,
                errors={"_form": spanish(err)},
                notice=None,
            )
        return Redirect(
            target, status_code=303, cookies=[session_cookie(settings, signed_in.token)]
        )

    @post("/salir", opt=STAFF)
    @inject
    async def sign_out(
        self, request: ConsoleRequest, use_case: FromDishka[SignOut], settings: FromDishka[Settings]
    ) -> Response[Any]:
        await use_case(request.cookies.get(SESSION_COOKIE, ""), console_user(request))
        return Redirect(SIGN_IN_PATH, status_code=303, cookies=[session_cookie(settings, None)])

    @get("/invitacion/{token:str}", opt=PUBLIC)
    @inject
    async def invitation(
        self, request: ConsoleRequest, token: FromPath[str], use_case: FromDishka[ShowInvitation]
    ) -> Template:
        invitation = await use_case(token)  # InvitationInvalid: the 404 page says so
        return page(
            request, "invitation.html", title="Invitación", invitation=invitation, errors={}
        )

    @post("/invitacion/{token:str}", opt=PUBLIC)
    @inject
    async def accept(
        self,
        request: ConsoleRequest,
        token: FromPath[str],
        show: FromDishka[ShowInvitation],
        use_case: FromDishka[AcceptInvitation],
    ) -> Response[Any]:
        invitation = await show(token)
        form = await read_form(request)
        password = form.text("password", 1024)
        errors: dict[str, str] = {}
        if password != form.text("password_repeat", 1024):
            errors["password_repeat"] = "Las dos contraseñas no coinciden."  # noqa: S105  # pragma: allowlist secret
        else:
            try:
                user = await use_case(token, password)
            except DomainError as err:
                errors = _errors_for(err)
            else:
                return Redirect(
                    f"{SIGN_IN_PATH}?{urlencode({'listo': 1, 'email': user.email})}",
                    status_code=303,
                )
        return page(
            request,
            "invitation.html",
            status=400,
            title="Invitación",
            invitation=invitation,
            errors=errors,
        )

    @get("/cuenta", opt=STAFF)
    async def account(self, request: ConsoleRequest) -> Template:
        return page(request, "account.html", title="Mi cuenta", errors={}, notice=None)

    @post("/cuenta", opt=STAFF)
    @inject
    async def change_password(
        self, request: ConsoleRequest, use_case: FromDishka[ChangePassword]
    ) -> Template:
        form = await read_form(request)
        try:
            ended = await use_case(
                console_user(request),
                form.text("current_password", 1024),
                form.text("password", 1024),
                request.cookies.get(SESSION_COOKIE, ""),
            )
        except DomainError as err:
            return page(
                request,
                "account.html",
                status=400,
                title="Mi cuenta",
                errors=_errors_for(err),
                notice=None,
            )
        notice = "Contraseña cambiada." + (
            f" Se cerraron {ended} sesiones en otros dispositivos." if ended else ""
        )
        return page(request, "account.html", title="Mi cuenta", errors={}, notice=notice)
