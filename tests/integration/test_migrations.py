"""The migration chain works on an empty database, both ways, and matches the table models."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from adapters.postgres.database import make_engine
from adapters.postgres.migrations import current_revisions
from adapters.postgres.tables import metadata
from entrypoints.migrate import alembic_config, downgrade, head_revisions, upgrade


async def public_tables(url: str) -> set[str]:
    """The tables in the database's public schema (also used by the `cabanas run` tests)."""
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            )
            return {r[0] for r in rows}
    finally:
        await engine.dispose()


def test_stairway_every_revision_up_down_up(empty_database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(empty_database_url))
    revisions = list(reversed(list(script.walk_revisions())))
    assert revisions, "no migrations found"
    for rev in revisions:
        upgrade(empty_database_url, rev.revision)
        downgrade(empty_database_url, rev.down_revision or "base")
        upgrade(empty_database_url, rev.revision)


def test_upgrade_to_head_then_base_then_head(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert {"accommodations", "reservations"} <= asyncio.run(public_tables(empty_database_url))
    downgrade(empty_database_url, "base")
    assert asyncio.run(public_tables(empty_database_url)) <= {"alembic_version"}
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url, pool_size=1)

    async def revisions() -> set[str]:
        try:
            return await current_revisions(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(revisions()) == head_revisions()


def test_models_match_the_migrated_schema(database_url: str) -> None:
    def diff(conn: Connection) -> list[object]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, metadata))

    async def run() -> list[object]:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(diff)
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == []


def _sql(url: str) -> Callable[[str], Coroutine[None, None, list[tuple[object, ...]]]]:
    """One statement in its own transaction, committed; its rows."""

    async def sql(statement: str) -> list[tuple[object, ...]]:
        engine = make_engine(url, pool_size=1)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement))
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    return sql


def test_0009_turns_json_null_payloads_into_sql_null(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0008")
    sql = _sql(empty_database_url)

    asyncio.run(
        sql(
            "INSERT INTO idempotency_keys (scope, key, payload, created_at) VALUES "
            "('api', 'k1', 'null'::jsonb, now()), "
            "('mercadopago', 'k2', '{\"payment_id\": \"1\"}'::jsonb, now())"
        )
    )
    upgrade(empty_database_url)
    rows = asyncio.run(sql("SELECT key, payload IS NULL FROM idempotency_keys ORDER BY key"))
    assert rows == [("k1", True), ("k2", False)]


def test_the_release_step_reads_sslrootcert_like_the_app(
    empty_database_url: str, tmp_path: Path
) -> None:
    """migrations/env.py verifies the server against the URL's sslrootcert, as make_config does
    for the app (the URL handed to the driver leaves it out): a CA file that is not there fails
    the migration instead of being silently ignored."""
    missing = tmp_path / "no-such-ca.pem"
    url = f"{empty_database_url}?sslmode=prefer&sslrootcert={missing}"
    with pytest.raises(FileNotFoundError):
        command.upgrade(alembic_config(url), "head")
    command.upgrade(alembic_config(empty_database_url), "head")  # without it: fine


def test_0026_keeps_a_balance_payments_booking_code_apart_from_its_reference(
    empty_database_url: str,
) -> None:
    """Rows stored as the reference (``CODE:balance``) are found by their booking's code after
    the upgrade (one of no booking has none); the previous release's writes (the reference as
    the code, no reference column) are split the same way by the trigger; going down puts
    every reference back as the code."""
    sql = _sql(empty_database_url)
    payment = (
        "INSERT INTO payments (id, reservation_code, status, amount_cents, currency, "
        "first_seen_at, updated_at) VALUES ('{id}', {code}, 'approved', 100, 'ARS', now(), now())"
    )
    upgrade(empty_database_url, "0025")
    asyncio.run(
        sql("INSERT INTO accommodations (name, capacity, base_price_cents) VALUES ('A', 2, 1)")
    )
    for booking in ("ABCDEFGHJKMN", "MNPQRSTVWXYZ"):
        asyncio.run(
            sql(
                "INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, "
                "guest_name, guest_phone, total_cents, deposit_cents, channel, status, "
                f"created_at, updated_at) SELECT '{booking}', id, '2027-01-04', '2027-01-06', 2, "
                "'Juana', '+5491155551234', 100, 30, 'direct', 'cancelled', now(), now() "
                "FROM accommodations"
            )
        )
    for pid, code in (
        ("1", "'ABCDEFGHJKMN'"),
        ("2", "'ABCDEFGHJKMN:balance'"),
        ("3", "NULL"),
        ("6", "'NO-ES-NUESTRA'"),  # flagged unknown_reference
    ):
        asyncio.run(sql(payment.format(id=pid, code=code)))
    asyncio.run(
        sql(
            "INSERT INTO payments (id, provider, reservation_code, status, amount_cents, "
            "currency, attention, first_seen_at, updated_at) VALUES ('held:ABCDEFGHJKMN', "
            "'ledger', 'ABCDEFGHJKMN', 'approved', 100, 'ARS', 'refund_required', now(), now())"
        )
    )
    upgrade(empty_database_url, "0026")
    stored = "SELECT id, reservation_code, external_reference FROM payments ORDER BY id"
    assert asyncio.run(sql(stored)) == [
        ("1", "ABCDEFGHJKMN", "ABCDEFGHJKMN"),
        ("2", "ABCDEFGHJKMN", "ABCDEFGHJKMN:balance"),
        ("3", None, None),
        ("6", None, "NO-ES-NUESTRA"),
        ("held:ABCDEFGHJKMN", "ABCDEFGHJKMN", None),
    ]
    # The previous release: inserts and upserts the reference as the code.
    asyncio.run(sql(payment.format(id="4", code="'MNPQRSTVWXYZ:balance'")))
    asyncio.run(
        sql(
            "UPDATE payments SET reservation_code = 'ABCDEFGHJKMN:balance', status = 'refunded' "
            "WHERE id = '2'"
        )
    )
    # This release: the code and the reference, apart, as given.
    asyncio.run(
        sql(
            "INSERT INTO payments (id, reservation_code, external_reference, status, "
            "amount_cents, currency, first_seen_at, updated_at) VALUES "
            "('5', NULL, 'OTRA:balance', 'approved', 100, 'ARS', now(), now())"
        )
    )
    assert asyncio.run(sql(stored)) == [
        ("1", "ABCDEFGHJKMN", "ABCDEFGHJKMN"),
        ("2", "ABCDEFGHJKMN", "ABCDEFGHJKMN:balance"),
        ("3", None, None),
        ("4", "MNPQRSTVWXYZ", "MNPQRSTVWXYZ:balance"),
        ("5", None, "OTRA:balance"),
        ("6", None, "NO-ES-NUESTRA"),
        ("held:ABCDEFGHJKMN", "ABCDEFGHJKMN", None),
    ]
    downgrade(empty_database_url, "0025")
    assert asyncio.run(sql("SELECT id, reservation_code FROM payments ORDER BY id")) == [
        ("1", "ABCDEFGHJKMN"),
        ("2", "ABCDEFGHJKMN:balance"),
        ("3", None),
        ("4", "MNPQRSTVWXYZ:balance"),
        ("5", "OTRA:balance"),
        ("6", "NO-ES-NUESTRA"),
        ("held:ABCDEFGHJKMN", "ABCDEFGHJKMN"),
    ]
