"""Blocks from the console: a B on the calendar opens the block's page (cabin, nights, reason,
who made it), where **Quitar bloqueo** frees its nights through the admin API's use case and
audit; a tap on a free stretch offers to block one night, not the whole stretch."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.console_client import OWNER, Console, console_for
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

CALENDAR = "/panel/calendario?desde=2026-12-01&dias=30"  # the tests' today: 2026-12-01
BLOCK_LINK = re.compile(r'<a class="k-block" href="(/panel/calendario/bloqueos/([0-9A-Z]{12}))"')
# The forest cabin takes one-night stays.
NIGHTS = {"cabana": "2", "desde": "2026-12-10", "hasta": "2026-12-12"}
BOOKING = {
    **NIGHTS,
    "personas": "2",
    "nombre": "Lucía Fernández",
    "telefono": "+54 9 11 4444-5555",
    "email": "",
    "notas": "",
    "estado": "retenida",
}


@pytest.fixture
async def owner(console_settings: Settings, clock: FixedClock) -> AsyncIterator[Console]:
    async with console_for(console_settings, clock) as console:
        await console.member(OWNER, Role.OWNER)
        yield console


async def block(console: Console, reason: str = "Pintura del deck") -> tuple[str, str]:
    """Two nights of the forest cabin blocked from the form; the B's link and code."""
    made = await console.post("/panel/calendario/bloquear", {**NIGHTS, "motivo": reason})
    assert made.status_code == 303, made.text[:2000]
    found = BLOCK_LINK.search((await console.client.get(CALENDAR)).text)
    assert found, "the block's cell links nowhere"
    return found.group(1), found.group(2)


async def audit(settings: Settings, code: str) -> list[tuple[str, str]]:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch(
            "SELECT actor, action FROM admin_audit_log WHERE target = $1 ORDER BY id", code
        )
    finally:
        await conn.close()
    return [(r["actor"], r["action"]) for r in rows]


async def test_a_block_cell_opens_its_page_with_the_reason_and_who_made_it(
    owner: Console,
) -> None:
    link, _ = await block(owner)
    detail = await owner.client.get(link)
    assert detail.status_code == 200
    text = detail.text
    assert '<h1 id="h-block">Bloqueo</h1>' in text
    assert "Cabaña del Bosque" in text
    assert "jueves 10 de diciembre de 2026" in text  # the first night
    assert "sábado 12 de diciembre de 2026" in text  # the day it frees
    assert "<dt>Noches</dt><dd>2</dd>" in text
    assert "Pintura del deck" in text  # on the page, not only in a tooltip
    assert OWNER in text
    assert ">Quitar bloqueo</button>" in text


async def test_quitar_bloqueo_frees_the_nights_is_audited_and_the_block_is_then_gone(
    owner: Console, console_settings: Settings
) -> None:
    link, code = await block(owner)
    taken = await owner.post("/panel/reservas/nueva", BOOKING)
    assert taken.status_code == 400
    assert "Esas noches ya están ocupadas" in taken.text

    removed = await owner.post(f"{link}/quitar", {}, form_on=link)
    assert removed.status_code == 303
    back = removed.headers["location"]
    assert back.startswith("/panel/calendario?desde=2026-12-01&")
    calendar = await owner.client.get(back)
    assert "Listo: las noches del jue 10 dic al sáb 12 dic quedaron libres." in calendar.text
    assert code not in calendar.text
    assert await audit(console_settings, code) == [
        (OWNER, "block.create"),
        (OWNER, "block.delete"),
    ]

    booked = await owner.post("/panel/reservas/nueva", BOOKING)
    assert booked.status_code == 303, booked.text[:2000]

    # The block no longer exists: its page and a second removal are the Spanish 404 page.
    gone = await owner.client.get(link)
    assert gone.status_code == 404
    assert "No encontramos esa página" in gone.text
    token = await owner.token(CALENDAR)
    again = await owner.client.post(f"{link}/quitar", data={"_csrf_token": token})
    assert again.status_code == 404
    assert "No encontramos esa página" in again.text


async def test_staff_remove_a_block_but_never_without_the_forms_csrf_token(
    console: Console, console_settings: Settings
) -> None:
    await console.member("equipo@cabanas.ar", Role.STAFF)
    link, code = await block(console, reason="")
    assert "Sin motivo" in (await console.client.get(link)).text

    forged = await console.client.post(f"{link}/quitar", data={})
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("text/html")
    assert "No podés hacer esto" in forged.text
    assert "otro sitio" in forged.text
    assert (await console.client.get(link)).status_code == 200  # still there

    removed = await console.post(f"{link}/quitar", {}, form_on=link)
    assert removed.status_code == 303
    assert (await console.client.get(link)).status_code == 404
    assert [a for _, a in await audit(console_settings, code)] == ["block.create", "block.delete"]


async def test_a_tap_on_a_free_stretch_offers_one_night_and_the_form_counts_nights(
    owner: Console,
) -> None:
    calendar = (await owner.client.get(CALENDAR)).text
    # The forest cabin is free all month: one cell, whose link asks for its first night only.
    free = re.search(
        r'<a class="free" href="([^"]+)" title="Cabaña del Bosque, mar 1 dic a mié 30 dic '
        r'\(30 noches\): libre"',
        calendar,
    )
    assert free, "no free stretch for the forest cabin"
    form = await owner.client.get(free.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    assert 'name="desde" type="date" value="2026-12-01"' in form.text
    assert 'name="hasta" type="date" value="2026-12-02"' in form.text
    assert "Vas a bloquear <strong data-nights>1 noche</strong>." in form.text
    # Re-rendered after a refusal, the count follows the dates sent.
    refused = await owner.post(
        "/panel/calendario/bloquear",
        {"cabana": "", "desde": "2026-12-24", "hasta": "2026-12-27", "motivo": ""},
    )
    assert refused.status_code == 400
    assert "Elegí una cabaña." in refused.text
    assert "Vas a bloquear <strong data-nights>3 noches</strong>." in refused.text


async def test_a_reason_too_long_or_a_block_over_a_year_is_named_and_nothing_is_blocked(
    owner: Console,
) -> None:
    # A reason longer than kept: refused with its length, shown back whole, not cut and saved.
    reason = "Pintura del deck. " * 170  # 3,060 characters
    long = await owner.post("/panel/calendario/bloquear", {**NIGHTS, "motivo": reason})
    assert long.status_code == 400, long.text[:2000]
    assert "Puede tener hasta 500 caracteres (tiene 3059): acortalo." in long.text
    assert 'aria-invalid="true" aria-describedby="e-motivo"' in long.text
    assert reason.strip() in long.text
    # Over a year: the Hasta field is named, with the limit.
    year = {**NIGHTS, "desde": "2027-02-05", "hasta": "2029-02-03", "motivo": "Obra"}
    over = await owner.post("/panel/calendario/bloquear", year)
    assert over.status_code == 400, over.text[:2000]
    assert "Un bloqueo puede durar hasta un año (366 noches)" in over.text
    assert 'aria-invalid="true" aria-describedby="e-hasta"' in over.text
    assert 'value="2029-02-03"' in over.text
    assert not BLOCK_LINK.search((await owner.client.get(CALENDAR)).text)
