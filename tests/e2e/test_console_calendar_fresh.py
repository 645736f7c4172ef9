"""The calendar keeps its drawn rows per process (``DrawnWindows``): a change must still show
on the very next request, whoever made it (a form here, another process, a sync), and a hold
must leave it when it lapses, with no write at all. The page around the rows stays each
person's own (role, CSRF token)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import asyncpg
import pytest

from domain.accounts import Role
from entrypoints.settings import Settings
from tests.e2e.conftest import NOW
from tests.e2e.console_client import OWNER, Console, console_for
from tests.unit.application.fakes import FixedClock

pytestmark = pytest.mark.db

PAGE = "/panel/calendario?desde=2026-12-01&dias=30"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
INSERT = (
    "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name, "
    "guest_phone, total_cents, deposit_cents, channel, status, kind, expires_at, created_at, "
    "updated_at) VALUES ($1, 1, $2, $3, 2, $4, '+5491155551234', 3000000, 900000, 'api', $5, "
    "'booking', $6, $7, $7)"
)


@pytest.fixture
async def owner(console_settings: Settings, clock: FixedClock) -> AsyncIterator[Console]:
    async with console_for(console_settings, clock) as console:
        await console.member(OWNER, Role.OWNER)
        yield console


async def sql(settings: Settings, statement: str, *args: object) -> None:
    """As another process would: its own connection."""
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(statement, *args)
    finally:
        await conn.close()


async def calendar(console: Console) -> str:
    page = await console.client.get(PAGE)
    assert page.status_code == 200
    return page.text


async def stay(
    settings: Settings, code: str, guest: str, status: str, expires: datetime | None
) -> None:
    await sql(
        settings, INSERT, code, date(2026, 12, 10), date(2026, 12, 13), guest, status, expires, NOW
    )


async def test_a_block_made_with_the_form_shows_on_the_next_request(owner: Console) -> None:
    assert "Pintura del deck" not in await calendar(owner)
    assert "Pintura del deck" not in await calendar(owner)  # drawn once, then kept
    made = await owner.post(
        "/panel/calendario/bloquear",
        {"cabana": "1", "desde": "2026-12-10", "hasta": "2026-12-12", "motivo": "Pintura del deck"},
    )
    assert made.status_code == 303
    assert "Bloqueo: Pintura del deck" in await calendar(owner)


async def test_writes_from_another_process_show_on_the_next_request(
    owner: Console, console_settings: Settings
) -> None:
    first = await calendar(owner)
    assert "Cabaña del Lago" in first
    assert "Rosa Ríos" not in first

    await sql(console_settings, "UPDATE accommodations SET name = 'Lago Azul' WHERE id = 1")
    assert ">Lago Azul</th>" in await calendar(owner)

    await stay(console_settings, "R0SAR10SR0SA", "Rosa Ríos", "confirmed", None)
    assert "Reserva de Rosa Ríos" in await calendar(owner)

    await sql(console_settings, "UPDATE reservations SET status = 'cancelled'")
    assert "Rosa Ríos" not in await calendar(owner)


async def test_a_hold_leaves_the_calendar_when_it_lapses_with_no_write(
    owner: Console, console_settings: Settings, clock: FixedClock
) -> None:
    lapses = NOW + timedelta(minutes=30)
    await stay(console_settings, "MAR10GMEZ0H1", "Mario Gómez", "pre_reserved", lapses)
    assert "Retención de Mario Gómez" in await calendar(owner)
    clock.current = lapses - timedelta(seconds=1)
    assert "Retención de Mario Gómez" in await calendar(owner)
    clock.current = lapses
    assert "Mario Gómez" not in await calendar(owner)


async def test_the_page_around_the_kept_rows_is_each_persons_own(owner: Console) -> None:
    made = await owner.post(
        "/panel/calendario/bloquear",
        {"cabana": "1", "desde": "2026-12-10", "hasta": "2026-12-12", "motivo": "Pintura"},
    )
    assert made.status_code == 303
    owners = await calendar(owner)
    owner_token = TOKEN.search(owners)
    assert owner_token
    assert 'href="/panel/pagos"' in owners

    invitation = await owner.invite("ayuda@cabanas.ar", Role.STAFF)
    owner.client.cookies.clear()  # another device: no session, no CSRF cookie
    assert (await owner.accept(invitation)).status_code == 303
    assert (await owner.sign_in("ayuda@cabanas.ar")).status_code == 303
    staffs = await calendar(owner)
    staff_token = TOKEN.search(staffs)
    assert staff_token
    assert staff_token.group(1) != owner_token.group(1)
    assert 'href="/panel/pagos"' not in staffs
    assert "Bloqueo: Pintura" in staffs
