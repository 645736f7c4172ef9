"""Precios over HTTP: a cabin's seasons, dates, long-weekend rule and fees, each form naming
its refused field in Spanish with the input kept; the bulk change previewed, then applied
once however many times it is sent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import asyncpg
import pytest

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW
from tests.e2e.console_client import OWNER, Console, console_for
from tests.money_text import PESO
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

PRICES = "/panel/cabanas/1/precios"
SEASON = {
    "t_indice": "",
    "t_nombre": "Temporada alta",
    "t_desde": "15/12",
    "t_hasta": "28/02",
    "t_precio": "",
    "t_porcentaje": "30",
    "t_finde": "",
    "t_minimo": "3",
}


@pytest.fixture
async def owner(console_settings: Settings, clock: FixedClock) -> AsyncIterator[Console]:
    async with console_for(console_settings, clock) as console:
        await console.member(OWNER, Role.OWNER)
        yield console


async def audit(settings: Settings, action: str) -> list[asyncpg.Record]:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        return list(await conn.fetch("SELECT after FROM admin_audit_log WHERE action = $1", action))
    finally:
        await conn.close()


async def test_a_season_is_added_edited_and_removed_with_spanish_errors(
    owner: Console, console_settings: Settings
) -> None:
    page = await owner.client.get(PRICES)
    assert page.status_code == 200
    assert "Sin temporadas: todo el año al precio base." in page.text

    both = await owner.post(f"{PRICES}/temporada", {**SEASON, "t_precio": "90.000"}, PRICES)
    assert both.status_code == 400
    assert 'aria-describedby="e-t_precio"' in both.text
    assert "uno de los dos" in both.text
    assert 'value="Temporada alta"' in both.text  # input kept
    bad_day = await owner.post(f"{PRICES}/temporada", {**SEASON, "t_desde": "31/02"}, PRICES)
    assert 'aria-describedby="e-t_desde"' in bad_day.text
    assert 'value="31/02"' in bad_day.text
    free = await owner.post(f"{PRICES}/temporada", {**SEASON, "t_porcentaje": "-100"}, PRICES)
    assert 'aria-describedby="e-t_porcentaje"' in free.text

    saved = await owner.post(f"{PRICES}/temporada", SEASON, PRICES)
    assert saved.status_code == 303
    page = await owner.client.get(saved.headers["location"])
    assert "Listo: la temporada quedó guardada." in page.text
    assert "<strong>Temporada alta</strong> · 15/12 al 28/02" in page.text
    assert "+30 % sobre el precio base" in page.text
    # A season sharing some nights with it (not inside it): refused plainly, nothing saved.
    clash = {**SEASON, "t_nombre": "Otra", "t_desde": "01/02", "t_hasta": "31/03"}
    refused = await owner.post(f"{PRICES}/temporada", clash, PRICES)
    assert refused.status_code == 400
    assert "Se pisa con otra regla" in refused.text
    assert 'value="Otra"' in refused.text

    edit = await owner.client.get(f"{PRICES}?editar=temporada-0")
    assert "Editar la temporada" in edit.text
    assert 'name="t_indice" value="0"' in edit.text
    changed = {**SEASON, "t_indice": "0", "t_porcentaje": "", "t_precio": "120.000"}
    assert (await owner.post(f"{PRICES}/temporada", changed, PRICES)).status_code == 303
    page = await owner.client.get(PRICES)
    assert page.text.count("<strong>Temporada alta</strong>") == 1
    assert f"{PESO}120.000 la noche" in page.text

    removed = await owner.post(f"{PRICES}/quitar", {"tipo": "temporada", "indice": "0"}, PRICES)
    assert removed.status_code == 303
    assert "Sin temporadas" in (await owner.client.get(PRICES)).text
    assert len(await audit(console_settings, "prices.replace")) == 3


async def test_dates_long_weekends_and_fees_are_saved_through_the_same_rules(
    owner: Console,
) -> None:
    day = NOW.date().replace(month=12, day=31)
    override = {
        "f_indice": "",
        "f_nombre": "Año Nuevo",
        "f_desde": day.isoformat(),
        "f_hasta": "",
        "f_precio": "250.000",
        "f_porcentaje": "",
        "f_minimo": "",
    }
    missing = await owner.post(f"{PRICES}/fecha", override, PRICES)
    assert 'aria-describedby="e-f_hasta"' in missing.text
    ok = await owner.post(f"{PRICES}/fecha", {**override, "f_hasta": day.isoformat()}, PRICES)
    assert ok.status_code == 303
    long_weekend = {"l_activo": "1", "l_precio": "", "l_porcentaje": "", "l_minimo": "2"}
    refused = await owner.post(f"{PRICES}/fin-largo", long_weekend, PRICES)
    assert 'aria-describedby="e-l_precio"' in refused.text
    assert 'name="l_minimo" type="number" value="2"' in refused.text
    lw = {**long_weekend, "l_porcentaje": "20"}
    assert (await owner.post(f"{PRICES}/fin-largo", lw, PRICES)).status_code == 303
    fees = {"c_limpieza": "15.000", "c_incluidas": "", "c_extra": "5.000", "c_mascota": ""}
    refused = await owner.post(f"{PRICES}/cargos", fees, PRICES)
    assert 'aria-describedby="e-c_incluidas"' in refused.text
    assert 'value="15.000"' in refused.text
    fees["c_incluidas"] = "4"
    assert (await owner.post(f"{PRICES}/cargos", fees, PRICES)).status_code == 303
    page = await owner.client.get(PRICES)
    assert "<strong>Año Nuevo</strong>" in page.text
    assert 'name="l_porcentaje" type="text" value="20"' in page.text
    assert 'name="c_limpieza" type="text" value="15.000"' in page.text
    # The long-weekend rule is on: its box stays ticked.
    assert "checked" in page.text.split('name="l_activo"')[1][:30]


async def test_a_bulk_change_is_previewed_then_applied_once(
    owner: Console, console_settings: Settings
) -> None:
    start = await owner.client.get("/panel/precios")
    assert start.status_code == 200
    change = {"porcentaje": "8", "desde": "2027-03-01", "meses": "3", "cabana": "1"}
    bad = await owner.post(
        "/panel/precios/vista-previa", {**change, "porcentaje": "cero"}, "/panel/precios"
    )
    assert bad.status_code == 400
    assert 'aria-describedby="e-porcentaje"' in bad.text
    assert 'value="cero"' in bad.text
    past = await owner.post(
        "/panel/precios/vista-previa", {**change, "desde": "2020-01-01"}, "/panel/precios"
    )
    assert 'aria-describedby="e-desde"' in past.text
    assert "Tiene que ser hoy o una fecha que viene" in past.text
    preview = await owner.post("/panel/precios/vista-previa", change, "/panel/precios")
    assert preview.status_code == 200
    assert "Vista previa: +8 % desde el lunes 1 de marzo de 2027" in preview.text
    assert "marzo 2027" in preview.text
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', preview.text))
    assert hidden["cabanas"] == "1"
    token = re.search(r'name="_csrf_token" value="([^"]+)"', preview.text)
    assert token
    sent = {**hidden, "_csrf_token": token.group(1)}
    first = await owner.client.post("/panel/precios/aplicar", data=sent)
    second = await owner.client.post("/panel/precios/aplicar", data=sent)  # a double click
    assert first.status_code == second.status_code == 303
    done = await owner.client.get(first.headers["location"])
    assert "Listo: el cambio de precios quedó aplicado." in done.text
    [applied] = await audit(console_settings, "prices.bulk_change")
    assert '"accommodation_ids": [1]' in applied["after"]


async def test_a_bulk_change_with_no_cabin_ticked_previews_every_cabin(owner: Console) -> None:
    """The form says "ninguna marcada: todas": no ticked box is every cabin, not an error."""
    change = {"porcentaje": "8", "desde": "2027-03-01", "meses": "3"}
    preview = await owner.post("/panel/precios/vista-previa", change, "/panel/precios")
    assert preview.status_code == 200, preview.text[:300]
    assert "Vista previa: +8 % desde el lunes 1 de marzo de 2027" in preview.text
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', preview.text))
    assert hidden["cabanas"] == ""
    bad = await owner.post(
        "/panel/precios/vista-previa", {**change, "porcentaje": "cero"}, "/panel/precios"
    )
    assert bad.status_code == 400
    assert 'aria-describedby="e-porcentaje"' in bad.text
