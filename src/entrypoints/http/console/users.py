"""Personas (owners only): who can use the console, invitations, removing access."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from application.accounts.invitations import (
    InviteUser,
    ListPendingInvitations,
    RevokeInvitations,
)
from application.accounts.users import ListUsers, RemoveUser
from domain.accounts import Role
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import read_form
from entrypoints.http.console.links import invitation_link
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.settings import Settings

ConsoleRequest = Request[Any, Any, Any]


class UsersController(Controller):
    path = f"{PREFIX}/usuarios"
    include_in_schema = False

    async def _page(
        self, request: ConsoleRequest, people: ListUsers, status: int = 200, **context: Any
    ) -> Template:
        pending = await request.state.dishka_container.get(ListPendingInvitations)
        defaults: dict[str, Any] = {
            "errors": {},
            "email": "",
            "role": "staff",
            "invite_link": None,
            "invited_email": None,
            "notice": None,
            "confirm_remove": None,
        }
        return page(
            request,
            "users.html",
            status=status,
            title="Personas",
            people=await people(),
            pending=await pending(),
            **(defaults | context),
        )

    @get("/")
    @inject
    async def list_people(self, request: ConsoleRequest, people: FromDishka[ListUsers]) -> Template:
        return await self._page(request, people)

    @post("/")
    @inject
    async def invite(
        self,
        request: ConsoleRequest,
        people: FromDishka[ListUsers],
        use_case: FromDishka[InviteUser],
        settings: FromDishka[Settings],
    ) -> Template:
        form = await read_form(request)
        email = form.text("email", 320)
        role = Role.OWNER if form.text("role", 10) == "owner" else Role.STAFF
        try:
            token = await use_case(email, role, console_user(request).email)
        except DomainError as err:
            return await self._page(
                request,
                people,
                status=400,
                errors={err.field or "_form": spanish(err)},
                email=email,
                role=role.value,
            )
        return await self._page(
            request,
            people,
            invite_link=invitation_link(settings, token),
            invited_email=email.strip().lower(),
        )

    @post("/{user_id:int}/quitar")
    @inject
    async def remove(
        self,
        request: ConsoleRequest,
        user_id: FromPath[int],
        people: FromDishka[ListUsers],
        use_case: FromDishka[RemoveUser],
    ) -> Template:
        form = await read_form(request)
        if form.text("confirmar", 2) != "1":
            # One tap on a phone list must not end someone's access: asked once more, by name.
            found = next((p for p in await people() if p.id == user_id), None)
            if found is not None:
                return await self._page(request, people, confirm_remove=found)
        try:
            removed = await use_case(user_id, console_user(request).email)
        except DomainError as err:
            return await self._page(request, people, status=409, errors={"_form": spanish(err)})
        return await self._page(
            request, people, notice=f"{removed.email} ya no tiene acceso; sus sesiones se cerraron."
        )

    @post("/invitaciones/anular")
    @inject
    async def revoke(
        self,
        request: ConsoleRequest,
        people: FromDishka[ListUsers],
        use_case: FromDishka[RevokeInvitations],
    ) -> Template:
        form = await read_form(request)
        email = form.text("email", 320)
        try:
            await use_case(email, console_user(request).email)
        except DomainError as err:
            return await self._page(request, people, status=409, errors={"_form": spanish(err)})
        return await self._page(
            request, people, notice=f"Listo: la invitación a {email} ya no sirve."
        )
