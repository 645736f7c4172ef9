from decimal import Decimal

import pytest

from adapters.postgres.database import async_url, sync_url
from entrypoints.settings import Settings, SettingsError


def test_defaults() -> None:
    s = Settings.from_env({})
    assert (s.environment, s.host, s.port) == ("development", "127.0.0.1", 8000)
    assert s.database_url is None
    assert s.booking_policy.hold_minutes == 30
    assert s.booking_policy.deposit_percent == Decimal(30)


def test_values_come_from_upper_case_variables() -> None:
    s = Settings.from_env(
        {"HOLD_MINUTES": "15", "DEPOSIT_PERCENT": "25.5", "ENVIRONMENT": "Staging", "PORT": "9000"}
    )
    assert s.hold_minutes == 15
    assert s.deposit_percent == Decimal("25.5")
    assert s.environment == "staging"
    assert s.port == 9000


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HOLD_MINUTES": "soon"}, "HOLD_MINUTES"),
        ({"PORT": "70000"}, "PORT"),
        ({"ENVIRONMENT": "prod"}, "ENVIRONMENT"),
        ({"DEPOSIT_PERCENT": "120"}, "deposit_percent"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql://u:p@h/db?sslmode=require", "postgresql+asyncpg://u:p@h/db?ssl=require"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_get_the_asyncpg_driver(given: str, expected: str) -> None:
    assert async_url(given) == expected


def test_sync_url_round_trips_sslmode() -> None:
    assert sync_url("postgres://u@h/db?sslmode=require") == "postgresql://u@h/db?sslmode=require"


def test_non_postgres_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        async_url("mysql://u@h/db")
