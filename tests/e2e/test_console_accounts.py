"""The console's accounts over HTTP: invitations, sign-in, sessions, roles, CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar import Litestar

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, PASSWORD, Console
from tests.e2e.test_console_reservations import rows

pytestmark = pytest.mark.db


async def test_an_invitation_sets_a_password_once_and_the_person_signs_in(console: Console) -> None:
    token = await console.invite(OWNER)
    accepted = await console.accept(token)
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/panel/ingresar?listo=1")
    # Single use: the link is dead now.
    again = await console.client.get(f"/panel/invitacion/{token}")
    assert again.status_code == 404
    assert "No encontramos" in again.text
    signed = await console.sign_in(OWNER)
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "cabanas_sesion=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    today = await console.client.get("/panel/")
    assert today.status_code == 200
    assert "<h1>Hoy, martes 1 de diciembre de 2026</h1>" in today.text
    assert "default-src 'none'; script-src 'self'" in today.headers["content-security-policy"]
    assert today.headers["cache-control"] == "no-store"


async def test_an_invitation_lapses_after_24_hours(console: Console) -> None:
    token = await console.invite(OWNER)
    console.clock.current += timedelta(hours=24)
    assert (await console.client.get(f"/panel/invitacion/{token}")).status_code == 404


async def test_a_weak_or_mismatched_password_re_renders_the_form_naming_the_field(
    console: Console,
) -> None:
    token = await console.invite(OWNER)
    short = await console.accept(token, "corta")
    assert short.status_code == 400
    assert "al menos 12 caracteres" in short.text
    assert 'aria-invalid="true" aria-describedby="e-password"' in short.text
    path = f"/panel/invitacion/{token}"
    mismatch = await console.post(path, {"password": PASSWORD, "password_repeat": PASSWORD + "x"})
    assert "no coinciden" in mismatch.text


async def test_owners_must_be_allowed_emails(console: Console) -> None:
    from domain.accounts import OwnerNotAllowed

    with pytest.raises(OwnerNotAllowed):
        await console.invite("intruso@example.com", Role.OWNER)
    await console.invite("ayuda@example.com", Role.STAFF)  # staff need not be listed


async def test_unknown_email_and_wrong_password_get_the_same_answer(console: Console) -> None:
    await console.accept(await console.invite(OWNER))
    unknown = await console.sign_in("nadie@example.com")
    wrong = await console.sign_in(OWNER, "otra frase cualquiera")
    assert unknown.status_code == wrong.status_code == 400
    message = "El email o la contraseña no son correctos."
    assert message in unknown.text
    assert message in wrong.text
    assert "set-cookie" not in wrong.headers or "cabanas_sesion" not in wrong.headers["set-cookie"]


async def test_sign_in_is_throttled_per_account_even_for_the_right_password(
    console: Console,
) -> None:
    await console.accept(await console.invite(OWNER))
    for _ in range(5):
        assert (await console.sign_in(OWNER, "mal mal mal mal")).status_code == 400
    refused = await console.sign_in(OWNER)
    assert refused.status_code == 429
    assert "demasiados intentos" in refused.text.lower()
    # When to come back: every counted failure is gone after the window (15 minutes).
    assert refused.headers["retry-after"] == "900"
    # An unknown email is throttled the same way (the answer never tells them apart).
    for _ in range(5):
        await console.sign_in("nadie@example.com", "mal mal mal mal")
    assert (await console.sign_in("nadie@example.com", "x" * 12)).status_code == 429


async def test_an_expired_session_goes_to_sign_in_and_back_to_the_page_asked_for(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    assert (await console.client.get("/panel/usuarios")).status_code == 200
    console.clock.current += timedelta(hours=13)  # idle lifetime: 12 h
    away = await console.client.get("/panel/usuarios?x=1")
    assert away.status_code == 303
    assert away.headers["location"] == "/panel/ingresar?siguiente=%2Fpanel%2Fusuarios%3Fx%3D1"
    back = await console.sign_in(
        OWNER,
        nxt="/panel/usuarios?x=1",
    )
    assert back.headers["location"] == "/panel/usuarios?x=1"
    # Never to another site.
    elsewhere = await console.sign_in(OWNER, nxt="//evil.example/")
    assert elsewhere.headers["location"] == "/panel/"


async def test_an_htmx_refresh_with_an_expired_session_sends_the_whole_page_to_sign_in(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    console.clock.current += timedelta(hours=13)
    refresh = await console.client.get(
        "/panel/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver.local/panel/"},
    )
    assert refresh.status_code == 204
    assert refresh.headers["hx-redirect"] == "/panel/ingresar?siguiente=%2Fpanel%2F"


async def test_sessions_end_at_their_absolute_lifetime_even_when_used(console: Console) -> None:
    await console.member(OWNER, Role.OWNER)
    ends = console.clock.current + timedelta(days=7)  # absolute lifetime
    while console.clock.current + timedelta(hours=11) < ends:  # used every 11 h: never idle
        console.clock.current += timedelta(hours=11)
        assert (await console.client.get("/panel/")).status_code == 200
    console.clock.current = ends
    assert (await console.client.get("/panel/")).status_code == 303


async def test_signing_out_ends_the_session(console: Console) -> None:
    await console.member(OWNER, Role.OWNER)
    cookie = console.client.cookies.get("cabanas_sesion")
    out = await console.post("/panel/salir", {}, form_on="/panel/")
    assert out.status_code == 303
    console.use_session(cookie)
    assert (await console.client.get("/panel/")).status_code == 303


async def test_a_form_post_without_the_csrf_token_is_refused(console: Console) -> None:
    await console.accept(await console.invite(OWNER))
    refused = await console.client.post(
        "/panel/ingresar", data={"email": OWNER, "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert "otro sitio" in refused.text
    assert refused.headers["content-type"].startswith("text/html")


async def test_unknown_console_paths_are_a_spanish_page_not_problem_json(console: Console) -> None:
    missing = await console.client.get("/panel/no-existe")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "No encontramos esa página" in missing.text
    assert (
        (await console.client.get("/api/v1/nothing"))
        .headers["content-type"]
        .startswith("application/problem+json")
    )


# Every console route and who may use it: "public" (no session), "staff" (owners and staff),
# "owner". A new route fails test_every_console_route_is_in_the_matrix until it is listed.
ROLE_MATRIX: dict[tuple[str, str], str] = {
    ("GET", "/panel"): "staff",
    ("GET", "/panel/ingresar"): "public",
    ("POST", "/panel/ingresar"): "public",
    ("POST", "/panel/salir"): "staff",
    ("GET", "/panel/invitacion/{token:str}"): "public",
    ("POST", "/panel/invitacion/{token:str}"): "public",
    ("GET", "/panel/cuenta"): "staff",
    ("POST", "/panel/cuenta"): "staff",
    ("GET", "/panel/calendario"): "staff",
    ("GET", "/panel/calendario/bloquear"): "staff",
    ("POST", "/panel/calendario/bloquear"): "staff",
    ("GET", "/panel/calendario/bloqueos/{code:str}"): "staff",
    ("POST", "/panel/calendario/bloqueos/{code:str}/quitar"): "staff",
    ("GET", "/panel/reservas/{code:str}"): "staff",
    ("POST", "/panel/reservas/{code:str}/cancelar"): "staff",
    ("GET", "/panel/reservas/{code:str}/cancelar"): "staff",  # back to the reservation
    ("GET", "/panel/reservas/{code:str}/nota"): "staff",  # back to the reservation
    ("GET", "/panel/reservas/{code:str}/link-de-pago"): "staff",  # back to the reservation
    ("GET", "/panel/reservas/{code:str}/mover"): "staff",  # back to the reservation
    ("GET", "/panel/reservas/{code:str}/pago"): "staff",  # back to the reservation
    ("GET", "/panel/reservas/{code:str}/devolver"): "staff",  # back to the reservation
    ("GET", "/panel/reservas/{code:str}/credito"): "staff",  # back to the reservation
    ("POST", "/panel/reservas/{code:str}/credito"): "owner",
    ("GET", "/panel/reservas/{code:str}/extender"): "staff",  # back to the reservation
    ("POST", "/panel/reservas/{code:str}/nota"): "staff",
    ("POST", "/panel/reservas/{code:str}/pago"): "owner",
    ("POST", "/panel/reservas/{code:str}/devolver"): "owner",
    ("POST", "/panel/reservas/{code:str}/extender"): "owner",
    ("POST", "/panel/reservas/{code:str}/link-de-pago"): "owner",
    ("POST", "/panel/reservas/{code:str}/mover"): "owner",
    ("GET", "/panel/reservas/nueva"): "owner",
    ("POST", "/panel/reservas/nueva"): "owner",
    ("GET", "/panel/usuarios"): "owner",
    ("POST", "/panel/usuarios"): "owner",
    ("POST", "/panel/usuarios/{user_id:int}/quitar"): "owner",
    ("POST", "/panel/usuarios/invitaciones/anular"): "owner",
    ("GET", "/panel/canales"): "owner",
    ("POST", "/panel/canales"): "owner",
    ("POST", "/panel/canales/{feed_id:int}/sincronizar"): "owner",
    ("POST", "/panel/canales/{feed_id:int}/liberar"): "owner",
    ("POST", "/panel/canales/{feed_id:int}/quitar"): "owner",
    ("GET", "/panel/cabanas"): "owner",
    ("GET", "/panel/cabanas/{cabin_id:int}"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}/textos"): "owner",
    ("GET", "/panel/cabanas/{cabin_id:int}/precios"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}/precios/temporada"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}/precios/fecha"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}/precios/quitar"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}/precios/fin-largo"): "owner",
    ("POST", "/panel/cabanas/{cabin_id:int}/precios/cargos"): "owner",
    ("GET", "/panel/precios"): "owner",
    ("POST", "/panel/precios/vista-previa"): "owner",
    ("POST", "/panel/precios/aplicar"): "owner",
    ("GET", "/panel/pagos"): "owner",
    ("GET", "/panel/conversaciones"): "owner",
    ("POST", "/panel/conversaciones/{phone:str}/tomar"): "owner",
    ("POST", "/panel/conversaciones/{phone:str}/devolver"): "owner",
    ("POST", "/panel/pagos/{payment_id:str}/resolver"): "owner",
    ("POST", "/panel/pagos/cuenta/{item_id:int}/resolver"): "owner",
    ("POST", "/panel/cola/choques/{collision_id:int}/descartar"): "owner",
    ("POST", "/panel/cola/mensajes/{item_id:int}/reintentar"): "owner",
    ("POST", "/panel/cola/mensajes/{item_id:int}/descartar"): "owner",
    ("GET", "/panel/comprobantes/{receipt_id:int}"): "owner",
    ("GET", "/panel/comprobantes/{receipt_id:int}/archivo"): "owner",
    ("POST", "/panel/comprobantes/{receipt_id:int}/aprobar"): "owner",
    ("POST", "/panel/comprobantes/{receipt_id:int}/rechazar"): "owner",
}


def console_routes(app: Litestar) -> dict[tuple[str, str], str]:
    found = {}
    for route in app.routes:
        if not route.path.startswith("/panel") or route.path.startswith("/panel/static"):
            continue
        for method, handler in getattr(route, "route_handler_map", {}).items():
            if method in {"HEAD", "OPTIONS"}:
                continue
            level = handler[0] if isinstance(handler, tuple) else handler
            opt = level.opt
            found[(method, route.path)] = (
                "public" if opt.get("public") else "staff" if opt.get("staff") else "owner"
            )
    return found


async def test_every_console_route_is_in_the_matrix(console: Console) -> None:
    app = console.client.app
    assert isinstance(app, Litestar)
    assert console_routes(app) == ROLE_MATRIX


def concrete(path: str) -> str:
    return (
        path.replace("{token:str}", "x")
        .replace("{user_id:int}", "1")
        .replace("{feed_id:int}", "1")
        .replace("{cabin_id:int}", "1")
        .replace("{phone:str}", "5491155551234")
        .replace("{code:str}", "ABC123")
        .replace("{payment_id:str}", "1319000001")
        .replace("{collision_id:int}", "1")
        .replace("{item_id:int}", "1")
        .replace("{receipt_id:int}", "1")
    )


async def test_staff_are_refused_every_owner_route_with_the_403_page(console: Console) -> None:
    await console.accept(await console.invite(OWNER))
    await console.member("equipo@example.com", Role.STAFF)
    token = await console.token("/panel/cuenta")
    for (method, path), who in ROLE_MATRIX.items():
        if who != "owner":
            continue
        if method == "GET":
            answer = await console.client.get(concrete(path))
        else:
            answer = await console.client.post(concrete(path), data={"_csrf_token": token})
        assert answer.status_code == 403, (method, path)
        assert "solo para la dueña o el dueño" in answer.text
    for (method, path), who in ROLE_MATRIX.items():
        if who == "staff" and method == "GET":
            # Let in (a made-up reservation code is simply not found; a form's own address
            # leads to its reservation).
            answer = await console.client.get(concrete(path), follow_redirects=True)
            assert answer.status_code in {200, 404}, path


async def test_signed_out_visitors_are_sent_to_sign_in_from_every_private_route(
    console: Console,
) -> None:
    for (method, path), who in ROLE_MATRIX.items():
        if who == "public" or method != "GET":
            continue
        answer = await console.client.get(concrete(path))
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/panel/ingresar?siguiente=")


async def test_sign_ins_failures_and_sign_outs_are_in_the_audit_log(
    console: Console, database_url: str
) -> None:
    await console.accept(await console.invite(OWNER))
    await console.sign_in(OWNER, "no es la contraseña")
    await console.sign_in(OWNER)
    await console.post("/panel/salir", {}, form_on="/panel/")
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch("SELECT actor, action, after FROM admin_audit_log ORDER BY id")
    finally:
        await conn.close()
    actions = [(r["actor"], r["action"]) for r in rows]
    assert actions == [
        ("tests", "user.invite"),
        (OWNER, "user.create"),
        (OWNER, "console.sign_in_failed"),
        (OWNER, "console.sign_in"),
        (OWNER, "console.sign_out"),
    ]
    assert "no es la contraseña" not in str([r["after"] for r in rows])


async def test_a_password_change_ends_the_other_sessions_and_removal_ends_them_all(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    await console.member("equipo@example.com", Role.STAFF)
    staff_cookie = console.client.cookies.get("cabanas_sesion")
    # The staff member signs in on a second device too.
    assert (await console.sign_in("equipo@example.com")).status_code == 303
    second = console.client.cookies.get("cabanas_sesion")
    changed = await console.post(
        "/panel/cuenta", {"current_password": PASSWORD, "password": PASSWORD + " nueva"}
    )
    assert "Se cerraron 1 sesiones" in changed.text
    console.use_session(staff_cookie)
    assert (await console.client.get("/panel/")).status_code == 303  # the other device: out
    console.use_session(second)
    assert (await console.client.get("/panel/")).status_code == 200  # this one stays
    # The owner removes them: every session ends.
    console.client.cookies.clear()
    await console.sign_in(OWNER)
    people = await console.client.get("/panel/usuarios")
    staff_id = re.search(r"/panel/usuarios/(\d+)/quitar", people.text)
    assert staff_id
    asked = await console.post(f"/panel/usuarios/{staff_id.group(1)}/quitar", {}, "/panel/usuarios")
    assert "¿Le quitás el acceso a equipo@example.com?" in asked.text  # one tap removes nobody
    assert "ya no tiene acceso" not in asked.text
    console.use_session(second)
    assert (await console.client.get("/panel/")).status_code == 200  # still in
    console.client.cookies.clear()
    await console.sign_in(OWNER)
    removed = await console.post(
        f"/panel/usuarios/{staff_id.group(1)}/quitar", {"confirmar": "1"}, "/panel/usuarios"
    )
    assert "ya no tiene acceso" in removed.text
    console.use_session(second)
    assert (await console.client.get("/panel/")).status_code == 303


async def test_the_owner_invites_from_the_console_and_the_link_works(console: Console) -> None:
    await console.member(OWNER, Role.OWNER)
    made = await console.post("/panel/usuarios", {"email": " Nueva@Example.com ", "role": "staff"})
    link = re.search(r'value="(https?://[^"]+/panel/invitacion/[^"]+)"', made.text)
    assert link
    path = link.group(1).split("/panel/", 1)[1]
    assert (await console.client.get(f"/panel/{path}")).status_code == 200
    refused = await console.post("/panel/usuarios", {"email": "otro@example.com", "role": "owner"})
    assert refused.status_code == 400
    assert "ADMIN_ALLOWED_EMAILS" in refused.text
    assert 'value="otro@example.com"' in refused.text  # the input is kept


def test_cabanas_admin_invite_prints_a_one_time_link(
    console_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from entrypoints.cli.main import cmd_admin_invite, invite_first_owner

    assert cmd_admin_invite(console_settings, "ayuda@example.com", "staff") == 0
    link = capsys.readouterr().out.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/panel/invitacion/[\w-]{43}", link)
    assert cmd_admin_invite(console_settings, "intruso@example.com", "owner") == 1
    assert "ADMIN_ALLOWED_EMAILS" in capsys.readouterr().err
    # `make run` in development: nobody has signed up yet, so the first owner gets a link.
    first = invite_first_owner(console_settings)
    assert first is not None
    assert "/panel/invitacion/" in first


async def test_inviting_an_owner_not_on_the_list_says_what_to_do_in_plain_words(
    console: Console,
) -> None:
    await console.member(OWNER, Role.OWNER)
    refused = await console.post(
        "/panel/usuarios/", {"email": "otro@example.com", "role": "owner"}, "/panel/usuarios"
    )
    assert refused.status_code == 400
    assert "Ese email no está en la lista de dueños del sistema: invitalo como equipo" in (
        refused.text
    )
    assert 'value="otro@example.com"' in refused.text


async def test_an_invitation_not_used_yet_is_listed_and_can_be_revoked(
    console: Console, console_settings: Settings
) -> None:
    await console.member(OWNER, Role.OWNER)
    made = await console.post(
        "/panel/usuarios", {"email": "equivocado@example.com", "role": "staff"}
    )
    link = re.search(r'value="(https?://[^"]+/panel/invitacion/[^"]+)"', made.text)
    assert link
    path = link.group(1).split("/panel/", 1)[1]
    assert (await console.client.get(f"/panel/{path}")).status_code == 200  # it works
    listed = (await console.client.get("/panel/usuarios")).text
    assert "Invitaciones sin usar" in listed
    assert "equivocado@example.com" in listed
    revoked = await console.post(
        "/panel/usuarios/invitaciones/anular",
        {"email": "equivocado@example.com"},
        "/panel/usuarios",
    )
    assert revoked.status_code == 200
    assert "Listo: la invitación a equivocado@example.com ya no sirve." in revoked.text
    assert "Invitaciones sin usar" not in revoked.text
    # Its link no longer lets anyone in.
    assert (await console.client.get(f"/panel/{path}")).status_code == 404
    again = await console.post(
        "/panel/usuarios/invitaciones/anular",
        {"email": "equivocado@example.com"},
        "/panel/usuarios",
    )
    assert again.status_code == 409
    assert "ya no estaba pendiente" in again.text
    audited = await rows(
        console_settings,
        "SELECT actor FROM admin_audit_log WHERE action = 'user.invitation_revoke'",
    )
    assert [r["actor"] for r in audited] == [OWNER]
