"""Reading the plans: the figures taken from an EXPLAIN (ANALYZE, BUFFERS) text, the literals a
generic-plan EXECUTE is given, and the table of the cost curve."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from benchmarks import explain
from benchmarks.seed import Scale

PLAN = """\
Sort  (cost=400.53..400.72 rows=76 width=37) (actual time=0.084..0.087 rows=68.00 loops=1)
  Sort Key: check_in, code
  Buffers: shared hit=139 read=12
  ->  Bitmap Heap Scan on reservations  (cost=9.31..398.16 rows=76 width=37)
        Buffers: shared hit=139 read=12
        ->  Bitmap Index Scan on reservations_no_overlap  (cost=0.00..9.29 rows=135 width=0)
              Buffers: shared hit=4
  InitPlan 9
    ->  Index Scan Backward using reservations_created_at_idx on reservations own
  ->  Seq Scan on accommodations  (cost=0.00..3.25 rows=1 width=0)
Planning Time: 0.066 ms
Execution Time: 0.095 ms"""


def test_a_plan_gives_its_time_its_pages_and_its_access_paths() -> None:
    assert explain.summarize(PLAN) == {
        "ms": 0.095,
        "pages": 151,  # the top node's buffers, which include its children's
        "indexes": ["reservations_created_at_idx", "reservations_no_overlap"],
        "seq_scans": ["accommodations"],
    }


def test_an_empty_plan_has_no_figures() -> None:
    assert explain.summarize("") == {"ms": None, "pages": 0, "indexes": [], "seq_scans": []}


def test_values_become_sql_literals() -> None:
    assert explain.literal(None) == "NULL"
    assert explain.literal(True) == "true"
    assert explain.literal(7) == "7"
    assert explain.literal(Decimal("1.200")) == "1.200"
    assert explain.literal(dt.date(2026, 12, 2)) == "'2026-12-02'"
    stamp = dt.datetime(2026, 12, 2, 6, 30, tzinfo=dt.UTC)
    assert explain.literal(stamp) == "'2026-12-02T06:30:00+00:00'"
    assert explain.literal("O'Higgins") == "'O''Higgins'"


def test_the_statements_are_the_services_own_with_one_argument_per_parameter() -> None:
    found = explain.statements(Scale(200, 50_000))
    sql, args, writes = found["hold INSERT, free night (placed)"]
    assert "ON CONFLICT ON CONSTRAINT reservations_no_overlap DO NOTHING" in sql
    assert "hold_quota_refusal" in sql
    assert writes
    assert max(int(n) for n in _params(sql)) == len(args)
    # The seeded cabin as it is, so the basis check holds: cabin 100 costs (50000 + 100000) * 100.
    assert 100 in args
    assert 15_000_000 in args
    for name, (sql, args, _) in found.items():
        assert max((int(n) for n in _params(sql)), default=0) == len(args), name


def _params(sql: str) -> list[str]:
    return re.findall(r"\$(\d+)", sql)


def _entry(ms: float, pages: int, **paths: Any) -> dict[str, Any]:
    return {"ms": ms, "pages": pages, "indexes": ["ix_a"], "seq_scans": [], **paths}


def test_the_table_has_each_sizes_figures_and_the_largest_sizes_access_path() -> None:
    plans = {
        "10x50000": {"lookup": _entry(0.006, 2), "export": _entry(0.2, 57)},
        "50x500000": {
            "lookup": _entry(0.012, 3),
            "export": _entry(
                0.6, 111, generic_indexes=["ix_b"], generic_seq_scans=["reservations"]
            ),
        },
    }
    lines = explain.table(plans)
    assert lines[0].startswith("| statement | 10x50000: ms / pages | 50x500000: ms / pages |")
    assert "| lookup | 0.006 / 2 | 0.012 / 3 | ix_a |" in lines
    assert (
        "| export | 0.200 / 57 | 0.600 / 111 | ix_a (generic: ix_b, Seq Scan reservations) |"
        in (lines)
    )


def test_a_size_without_plans_is_left_out() -> None:
    assert explain.table({"10x50000": {}}) == []
