"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis): every operation,
the admin ones with a valid admin token, gets no 5xx and answers as the schema says (status
codes, content types, bodies). ``FUZZ_EXAMPLES`` (default 15 per operation) deepens the search;
the number of cases run is printed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from entrypoints.embedded import EmbeddedRedis
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, seed
from tests.e2e.servers import uvicorn_server
from tests.e2e.test_admin import bearer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def fuzz_database(pg_server: object, template_db: str) -> str:
    from tests.conftest import fresh_database

    url: str = pg_server.url(fresh_database(pg_server, template_db))  # type: ignore[attr-defined]
    seed(url)
    return url


@pytest.fixture(scope="module")
def fuzz_server(fuzz_database: str, redis_server: EmbeddedRedis) -> Iterator[str]:
    url = fuzz_database
    env = {
        # Every sequence starts from the seeded data (``reset``): nothing cached may outlive it.
        "CATALOGUE_CACHE_SECONDS": "0",
        "DATABASE_URL": url,
        "REDIS_URL": redis_server.url(),
        "RATE_LIMIT_PER_MINUTE": "0",
        "JWT_SECRET": JWT_SECRET,
        "ADMIN_ALLOWED_EMAILS": ADMIN_EMAIL,
        "EMBEDDED_WORKER": "false",
        # The hold limits have their own tests; here they would stop the booking path after
        # three fuzzed holds from this one client.
        "MAX_LIVE_HOLDS_PER_PHONE": "0",
        "MAX_LIVE_HOLDS_PER_CLIENT": "0",
    }
    with uvicorn_server(env) as base:
        yield base


@pytest.fixture(scope="module")
def api_schema(fuzz_server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server}/api/v1/docs/openapi.json")


def test_api_conforms_to_its_schema(api_schema: schemathesis.BaseSchema) -> None:
    # schemathesis's pytest plugin does not work with pytest 9 yet; drive its Hypothesis
    # strategies directly, one operation at a time.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    admin = [
        o for o in operations if "/admin" in o.path or o.path.startswith("/api/v1/ical/import")
    ]
    assert len(operations) >= 8
    assert len(admin) >= 10  # the admin API is fuzzed too, signed in
    ran = 0
    for operation in operations:
        headers = bearer(ADMIN_EMAIL, secret=JWT_SECRET) if operation in admin else None
        ran += fuzz(operation, headers)
    print(f"schemathesis: {ran} cases over {len(operations)} operations ({len(admin)} admin)")


def fuzz(operation: schemathesis.APIOperation, headers: dict[str, str] | None) -> int:
    """Run one operation's cases; how many ran."""
    ran = 0

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        nonlocal ran
        ran += 1
        # Schema-valid requests may still break a booking rule the schema cannot express
        # (check-out before check-in, a past date): those 422s are correct answers.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()
    return ran


# Counters the app compares with what it has cached: kept (and raised) rather than emptied.
_KEPT = ("alembic_version", "price_rules_version", "console_changes")


def reset(url: str) -> None:
    """The database back to the seeded data: every table emptied, the seed again, and the price
    rules' version raised so no process keeps rules from before."""

    async def empty() -> None:
        conn = await asyncpg.connect(url)
        try:
            tables = [
                f'"{name}"'
                for (name,) in await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> ALL($1::text[])",
                    list(_KEPT),
                )
            ]
            await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            await conn.execute("UPDATE price_rules_version SET version = version + 1")
        finally:
            await conn.close()

    asyncio.run(empty())
    seed(url)


def test_api_sequences_conform_to_its_schema(
    api_schema: schemathesis.BaseSchema, fuzz_database: str
) -> None:
    """Stateful mode: sequences of calls linked through the schema (a hold's code fed to the
    lookup and the admin calls that take it), no 5xx along any of them. Each sequence starts
    from the seeded data: Hypothesis replays a sequence to shrink it, and a replay must meet
    the same answers (a cabin deactivated by an earlier sequence changed what the links drew:
    "Inconsistent data generation")."""
    machine = api_schema.as_state_machine()
    headers = bearer(ADMIN_EMAIL, secret=JWT_SECRET)
    steps = resets = 0

    class Sequences(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            nonlocal resets
            resets += 1
            reset(fuzz_database)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": headers}

        def validate_response(  # type: ignore[override]
            self, response: object, case: schemathesis.Case, **kwargs: object
        ) -> None:
            nonlocal steps
            steps += 1
            # As above: a schema-valid call may still break a rule the schema cannot express;
            # and the sequences' negative cases include "no Authorization header", which the
            # signed-in calls here always send, and unknown query parameters, which are ignored.
            case.validate_response(
                response,  # type: ignore[arg-type]
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
                transport_kwargs=kwargs,
            )

    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        Sequences,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert steps > EXAMPLES  # sequences ran, more than one call each on average
    assert resets >= EXAMPLES  # each from the seeded data
    print(f"schemathesis stateful: {steps} calls in {EXAMPLES} sequences")
