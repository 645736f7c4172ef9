"""Canary for adapters/postgres/driver.py: the SQLAlchemy names it uses that are not public API
(docs/adr/0006-the-direct-driver.md). A SQLAlchemy release that renames or reshapes one fails
here, by name, before any booking test fails in a harder-to-read way; pyproject.toml bounds
SQLAlchemy below the next minor release so that such a release is taken deliberately."""

from __future__ import annotations

import tomllib
from pathlib import Path

import sqlalchemy
from sqlalchemy import Integer, bindparam, column, select, table
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.engine import Connection

from adapters.postgres.driver import RawStatement

ROOT = Path(__file__).resolve().parents[3]


def _slots(cls: type) -> set[str]:
    return {name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())}


def test_the_installed_sqlalchemy_is_within_the_bound_we_declare() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [spec] = [d for d in declared if d.startswith("sqlalchemy")]
    assert "<2.2" in spec, "driver.py was checked against SQLAlchemy 2.0 and 2.1 only"
    major, minor = (int(part) for part in sqlalchemy.__version__.split(".")[:2])
    assert (major, minor) < (2, 2)


def test_the_adapted_asyncpg_connection_still_has_the_names_the_driver_uses() -> None:
    # driver.py: adapted._connection (the asyncpg connection), adapted._transaction (None
    # until SQLAlchemy's BEGIN) and adapted._start_transaction() (that BEGIN).
    assert {"_connection", "_transaction"} <= _slots(AsyncAdapt_asyncpg_connection)
    assert callable(AsyncAdapt_asyncpg_connection._start_transaction)
    # sync_connection._dbapi_connection: the checked-out pool entry, reached without I/O.
    assert "_dbapi_connection" in Connection.__init__.__code__.co_names


def test_a_compiled_statement_gives_asyncpg_sql_and_the_parameter_order() -> None:
    t = table("t", column("a", Integer), column("b", Integer))
    stmt = select(t.c.a).where(t.c.b == bindparam("p_b"), t.c.a > bindparam("p_a"))
    raw = RawStatement(stmt)
    assert "$1" in raw.sql
    assert "$2" in raw.sql
    assert raw.args({"p_a": 1, "p_b": 2}) == [2, 1]  # positiontup: the order of $1, $2
