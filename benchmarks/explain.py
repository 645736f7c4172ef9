"""The query plans behind the cost curve: ``EXPLAIN (ANALYZE, BUFFERS)`` of the statements the
hot and the heavy endpoints run, on the bench data at one size.

Statements are the service's own (imported from adapters/postgres), compiled for asyncpg as the
service runs them; the ones that write run inside a transaction that is rolled back. Each is
executed ``RUNS`` times and the median execution time kept; the buffers (pages touched) come
from the last run and are the figure that does not drift with the machine's load. The plan the
service gets after five executions of a prepared statement (a generic plan, ``$n`` unknown) is
measured too (PREPARE, then EXECUTE under ``plan_cache_mode = force_generic_plan``): the
service's statements are prepared by asyncpg, and PostgreSQL may settle on that plan.
``hold_quota_refusal`` runs inside the hold's INSERT; its own statements' plans are caught with
auto_explain (nested statements, sent to this client at LOG level).

    .venv/bin/python -m benchmarks.explain            (BENCH_SCALE sizes; prints the plans)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import statistics
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import func, literal_column, select

from adapters.postgres.accommodations import LIST_ACTIVE_ACCOMMODATIONS
from adapters.postgres.driver import RawStatement
from adapters.postgres.feeds import EXPORT_ROWS, LAST_CHANGE, OCCUPANTS, PLACE
from adapters.postgres.repositories import (
    COUNT_CAP,
    GET_RESERVATION,
    OCCUPIED_AND_RULES_VERSION_RAW,
    OCCUPIED_ONE,
    PLACE_HOLD_RAW,
)
from adapters.postgres.tables import reservations
from benchmarks.seed import Scale, parse_scale

RUNS = int(os.environ.get("EXPLAIN_RUNS", "5"))
_R = reservations.c
# The console's reservation list, first page, no filter: what SqlReservationRepository.search
# builds for ReservationFilter() (a page by created_at and the total, counted up to the cap).
CONSOLE_PAGE = (
    select(reservations)
    .where(_R.kind == "booking")
    .order_by(_R.created_at.desc(), _R.id.desc())
    .limit(50)
    .offset(0)
)
CONSOLE_COUNT = select(func.count()).select_from(
    select(literal_column("1")).where(_R.kind == "booking").limit(COUNT_CAP + 1).subquery()
)


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("America/Argentina/Buenos_Aires")).date()


def statements(scale: Scale) -> dict[str, tuple[str, list[Any], bool]]:
    """name → (SQL, arguments, writes): one representative call of each, on this size's data."""
    today = _today()
    now = dt.datetime.now(dt.UTC)
    cabin = scale.cabins // 2  # a cabin in the middle (cabin ids are 1 … cabins)

    def hold(check_in: dt.date, key: str) -> list[Any]:
        values = {
            "v_code": f"EXPLAIN{key}".upper()[:12].ljust(12, "0"),
            "v_accommodation_id": cabin,
            "v_check_in": check_in,
            "v_check_out": check_in + dt.timedelta(days=1),
            "v_guests": 2,
            "v_guest_name": "Explain",
            "v_guest_phone": "+5491100000000",
            "v_guest_email": None,
            "v_notes": None,
            "v_total_cents": 5_000_000,
            "v_deposit_cents": 1_500_000,
            "v_currency": "ARS",
            "v_channel": "api",
            "v_status": "pre_reserved",
            "v_expires_at": now + dt.timedelta(minutes=30),
            "v_created_at": now,
            "v_updated_at": now,
            "v_retry_key": f"retry-{key}",
            "v_phone_key": "5491100000000",
            "v_client_key": f"client-{key}",
            # The seeded cabin as it is (benchmarks/seed.py), so the basis check holds.
            "b_price_cents": (50000 + cabin * 1000) * 100,
            "b_currency": "ARS",
            "b_weekend_multiplier": Decimal("1.2"),
            "b_capacity": 2 + cabin % 5,
            "b_min_nights": 1,
            "q_per_phone": 2,
            "q_per_client": 3,
        }
        return PLACE_HOLD_RAW.args(values)

    def raw(stmt: Any, params: dict[str, Any]) -> tuple[str, list[Any]]:
        compiled = RawStatement(stmt)
        return compiled.sql, compiled.args(params)

    window = {"now": now, "start": today + dt.timedelta(days=100)}
    window["end"] = window["start"] + dt.timedelta(days=3)
    out: dict[str, tuple[str, list[Any], bool]] = {
        "availability (occupied, all cabins, 3 nights)": (
            OCCUPIED_AND_RULES_VERSION_RAW.sql,
            OCCUPIED_AND_RULES_VERSION_RAW.args(window),
            False,
        ),
        "catalogue (active cabins)": (*raw(LIST_ACTIVE_ACCOMMODATIONS, {}), False),
        # A night the seed leaves free (day 7) and one it books (days 5–6).
        "hold INSERT, free night (placed)": (
            PLACE_HOLD_RAW.sql,
            hold(today + dt.timedelta(days=7), "free"),
            True,
        ),
        "hold INSERT, taken night (409)": (
            PLACE_HOLD_RAW.sql,
            hold(today + dt.timedelta(days=5), "taken"),
            True,
        ),
        "lookup by code": (
            *raw(GET_RESERVATION, {"code": "0" * 12}),
            False,
        ),
        "calendar (one cabin, 400 days)": (
            *raw(
                OCCUPIED_ONE,
                {
                    "accommodation_id": cabin,
                    "now": now,
                    "start": today,
                    "end": today + dt.timedelta(days=400),
                },
            ),
            False,
        ),
        "iCal export rows (one cabin)": (
            *raw(
                EXPORT_ROWS,
                {
                    "acc": cabin,
                    "since": today - dt.timedelta(days=30),
                    "now": now,
                    "exclude": "*",
                },
            ),
            False,
        ),
        "iCal export last change (one cabin)": (
            *raw(LAST_CHANGE, {"acc": cabin, "now": now}),
            False,
        ),
        "console list, first page": (*raw(CONSOLE_PAGE, {}), False),
        "console list, total count": (*raw(CONSOLE_COUNT, {}), False),
        "sync: occupants of one stay": (
            *raw(
                OCCUPANTS,
                {
                    "acc": cabin,
                    "now": now,
                    "check_in": today + dt.timedelta(days=100),
                    "check_out": today + dt.timedelta(days=101),
                },
            ),
            False,
        ),
        "sync: place one imported stay": (
            *raw(
                PLACE,
                {
                    "code": "EXPLAINSYNC0",
                    "acc": cabin,
                    "check_in": today + dt.timedelta(days=7),
                    "check_out": today + dt.timedelta(days=8),
                    "channel": "airbnb",
                    "reason": None,
                    "now": now,
                },
            ),
            True,
        ),
    }
    return out


_EXEC = re.compile(r"Execution Time: ([\d.]+) ms")
_HIT = re.compile(r"shared hit=(\d+)")
_READ = re.compile(r"read=(\d+)")
_INDEX = re.compile(
    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using |on )(\w+)"
)
_SEQ = re.compile(r"Seq Scan on (\w+)")


def summarize(plan: str) -> dict[str, Any]:
    """The figures of one ``EXPLAIN (ANALYZE, BUFFERS)`` text: execution time, pages touched
    (the first Buffers line: the top node's, which includes its children's), and the access
    paths (indexes by name, sequential scans by table)."""
    execution = _EXEC.search(plan)
    buffers = next((line for line in plan.splitlines() if "Buffers:" in line), "")
    hit, read = _HIT.search(buffers), _READ.search(buffers)
    return {
        "ms": float(execution[1]) if execution else None,
        "pages": (int(hit[1]) if hit else 0) + (int(read[1]) if read else 0),
        "indexes": sorted(set(_INDEX.findall(plan))),
        "seq_scans": sorted(set(_SEQ.findall(plan))),
    }


def literal(value: Any) -> str:
    """A value as an SQL literal, for ``EXECUTE stmt(…)`` (the prepared statement's parameter
    types, inferred at PREPARE, coerce the quoted text)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.date):  # datetimes too: isoformat keeps the offset
        return f"'{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


async def _explain(
    conn: asyncpg.Connection, sql: str, args: list[Any], writes: bool, *, generic: bool = False
) -> tuple[str, list[float]]:
    """``RUNS`` executions under EXPLAIN (ANALYZE, BUFFERS), each in a transaction rolled back.
    ``generic``: as a prepared statement forced onto its generic plan (what a statement that
    asyncpg prepared gets once PostgreSQL stops re-planning it for each call's values)."""
    times: list[float] = []
    text = ""
    if generic:
        await conn.execute(f"PREPARE bench_stmt AS {sql}")
        # EXECUTE takes no bind parameters: the values go in as literals.
        sql = (
            f"EXECUTE bench_stmt({', '.join(map(literal, args))})" if args else "EXECUTE bench_stmt"
        )
        args = []
    for _ in range(RUNS):
        tx = conn.transaction()
        await tx.start()
        try:
            if generic:
                await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
        finally:
            await tx.rollback()
        text = "\n".join(r[0] for r in rows)
        found = _EXEC.search(text)
        if found:
            times.append(float(found[1]))
    if generic:
        await conn.execute("DEALLOCATE bench_stmt")
    return text, times


async def _capture(url: str, scale: Scale) -> dict[str, Any]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    nested: list[str] = []
    out: dict[str, Any] = {}
    try:
        for name, (sql, args, writes) in statements(scale).items():
            text, times = await _explain(conn, sql, args, writes)
            entry = summarize(text)
            entry["ms"] = round(statistics.median(times), 3) if times else None
            entry["plan"] = text
            text, times = await _explain(conn, sql, args, writes, generic=True)
            generic = summarize(text)
            entry["generic_ms"] = round(statistics.median(times), 3) if times else None
            entry["generic_pages"] = generic["pages"]
            entry["generic_plan"] = text
            entry["generic_indexes"] = generic["indexes"]
            entry["generic_seq_scans"] = generic["seq_scans"]
            out[name] = entry
        # hold_quota_refusal's own statements (a phone with no live hold: the common case).
        await conn.execute("LOAD 'auto_explain'")
        for setting in (
            "auto_explain.log_min_duration = 0",
            "auto_explain.log_analyze = on",
            "auto_explain.log_buffers = on",
            "auto_explain.log_nested_statements = on",
            "client_min_messages = log",
        ):
            await conn.execute(f"SET {setting}")
        conn.add_log_listener(lambda _c, message: nested.append(message.message))
        sql, args, _ = statements(scale)["hold INSERT, free night (placed)"]
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.fetch(sql, *args)
        finally:
            await tx.rollback()
        await asyncio.sleep(0.1)  # log messages arrive asynchronously
        counts = [m for m in nested if "phone_key" in m or "client_key" in m]
        counts = [m for m in counts if "INSERT INTO reservations" not in m]
        out["hold_quota_refusal: live holds of a key"] = {
            **summarize(counts[0] if counts else ""),
            "plan": "\n\n".join(counts),
        }
        if counts:
            duration = re.search(r"duration: ([\d.]+) ms", counts[0])
            out["hold_quota_refusal: live holds of a key"]["ms"] = (
                float(duration[1]) if duration else None
            )
    finally:
        await conn.close()
    return out


def capture(url: str, scale: Scale) -> dict[str, Any]:
    return asyncio.run(_capture(url, scale))


def table(plans: dict[str, dict[str, Any]]) -> list[str]:
    """One row per statement: ms and pages at each size, and the access path at the largest."""
    labels = [label for label, p in plans.items() if p]
    if not labels:
        return []
    names = list(plans[labels[0]])
    lines = [
        "| statement | "
        + " | ".join(f"{label}: ms / pages" for label in labels)
        + " | access path (custom plan; generic plan if different) |",
        "|---|" + "---|" * len(labels) + "---|",
    ]
    for name in names:
        cells = []
        for label in labels:
            entry = plans[label].get(name, {})
            ms = entry.get("ms")
            cells.append(f"{ms:.3f} / {entry.get('pages', 0)}" if ms is not None else "n/a")
        last = plans[labels[-1]].get(name, {})
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {access_path(last)} |")
    return lines


def access_path(entry: dict[str, Any]) -> str:
    def paths(indexes: list[str], seqs: list[str]) -> str:
        return ", ".join([*indexes, *(f"Seq Scan {t}" for t in seqs)]) or "—"

    custom = paths(entry.get("indexes", []), entry.get("seq_scans", []))
    if "generic_indexes" not in entry:
        return custom
    generic = paths(entry["generic_indexes"], entry.get("generic_seq_scans", []))
    return custom if generic == custom else f"{custom} (generic: {generic})"


def main(
    out: Callable[[str], None] = print,
) -> int:
    from benchmarks.run import prepare_database
    from entrypoints.embedded import EmbeddedPostgres

    sizes = parse_scale(os.environ.get("BENCH_SCALE", "10x50000,50x50000,200x50000,50x500000"))
    plans: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="cabanas-explain-") as tmp:
        pg = EmbeddedPostgres(Path(tmp) / "pg", ephemeral=True).start()
        try:
            for scale in sizes:
                for db in ("bench_template", "bench_ours", "bench_reference"):
                    pg.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
                prepare_database(pg, scale)
                plans[scale.label] = capture(pg.url("bench_template"), scale)
                if os.environ.get("VERBOSE"):
                    for name, entry in plans[scale.label].items():
                        out(f"\n### {scale.label}: {name}\n{entry['plan']}")
                        if entry.get("generic_plan"):
                            out(f"-- generic plan:\n{entry['generic_plan']}")
        finally:
            pg.stop()
    out("\n".join(table(plans)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
