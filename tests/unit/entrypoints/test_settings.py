import ssl
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.postgres.database import async_url, make_config, sync_url
from domain.messaging.schedule import ScheduleRules
from entrypoints.settings import Settings, SettingsError


def test_defaults() -> None:
    s = Settings.from_env({})
    assert (s.environment, s.host, s.port) == ("development", "127.0.0.1", 8000)
    assert s.database_url is None
    assert s.booking_policy.hold_minutes == 30
    assert s.booking_policy.deposit_percent == Decimal(30)


def test_no_secret_has_a_development_default() -> None:
    # `make run` (development) sets none: a known value would make any laptop exposed through
    # a tunnel forgeable (README "A signed WhatsApp message": the developer brings one).
    s = Settings.from_env({})
    secrets = [name for name, kind in Settings.__annotations__.items() if "Secret" in str(kind)]
    assert "whatsapp_app_secret" in secrets
    assert "mp_webhook_secret" in secrets
    assert {name: getattr(s, name) for name in secrets} == dict.fromkeys(secrets)


def test_the_message_schedule_comes_from_its_variables() -> None:
    assert Settings.from_env({}).schedule_rules == ScheduleRules(balance_due_days=7)
    rules = Settings.from_env(
        {
            "PRE_ARRIVAL_DAYS": "3",
            "BALANCE_REMINDER_DAYS": "10",
            "BALANCE_DUE_DAYS": "5",
            "DAILY_SUMMARY_TIME": "07:30",
        }
    ).schedule_rules
    assert (rules.pre_arrival_days, rules.balance_reminder_days) == (3, 10)
    assert rules.balance_due_days == 5  # the reminder goes 10 days before the balance is due
    assert rules.daily_summary_at == time(7, 30)


def test_the_health_probe_timeout_is_short_unless_configured() -> None:
    assert Settings.from_env({}).health_probe_timeout_seconds == 0.15
    configured = Settings.from_env({"HEALTH_PROBE_TIMEOUT_SECONDS": "5"})
    assert configured.health_probe_timeout_seconds == 5.0


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
        ({"DAILY_SUMMARY_TIME": "8am"}, "DAILY_SUMMARY_TIME"),
        ({"PRE_ARRIVAL_DAYS": "90"}, "PRE_ARRIVAL_DAYS"),
        ({"BALANCE_REMINDER_DAYS": "0"}, "BALANCE_REMINDER_DAYS"),
        ({"CHECK_OUT_REMINDER_TIME": "23:00"}, "check-out reminder"),
        ({"HEALTH_PROBE_TIMEOUT_SECONDS": "0"}, "HEALTH_PROBE_TIMEOUT_SECONDS"),
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


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db?ssl=true", "postgresql+asyncpg://u@h/db?ssl=require"),
        ("postgresql://u@h/db?ssl=require", "postgresql+asyncpg://u@h/db?ssl=require"),
        (
            "postgresql://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            "postgresql+asyncpg://u@h/db?ssl=verify-full",
        ),
    ],
)
def test_hosts_url_forms_become_ones_asyncpg_accepts(given: str, expected: str) -> None:
    """``ssl=true`` is no sslmode asyncpg knows; ``sslrootcert`` is no keyword it takes."""
    assert async_url(given) == expected


def test_sync_url_keeps_the_root_certificate_for_libpq_tools() -> None:
    url = "postgresql://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem"
    assert sync_url(url) == url
    assert sync_url("postgres://u@h/db?ssl=true") == "postgresql://u@h/db?sslmode=require"


@pytest.mark.parametrize(("mode", "checks_host"), [("verify-full", True), ("verify-ca", False)])
def test_a_root_certificate_in_the_url_verifies_the_server(mode: str, checks_host: bool) -> None:
    ca = Path(certifi_like_bundle())
    config = make_config(f"postgresql://u@h/db?sslmode={mode}&sslrootcert={ca}")
    context = config.connect_args["ssl"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is checks_host
    assert "sslrootcert" not in config.connection_string


def test_no_root_certificate_leaves_tls_to_the_sslmode() -> None:
    config = make_config("postgresql://u@h/db?sslmode=require")
    assert "ssl" not in config.connect_args


def certifi_like_bundle() -> str:
    """Any CA bundle on this machine will do: the context only has to load it."""
    return ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"


def test_a_bad_value_is_shown_with_its_variable() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"BACKUP_KEEP": "seven"})
    assert str(raised.value) == "invalid setting BACKUP_KEEP='seven': Expected `int`, got `str`"


def test_a_bad_secret_is_named_but_never_shown() -> None:
    from entrypoints.settings import _describe

    message = _describe(Settings, "Expected `str` - at `$.jwt_secret`", {"JWT_SECRET": "hunter2"})
    assert message == "invalid setting JWT_SECRET: Expected `str`"


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({"MP_ACCESS_TOKEN": "APP_USR-1", "MP_WEBHOOK_SECRET": "s"}, True),
        ({"MP_ACCESS_TOKEN": "APP_USR-1", "MERCADOPAGO_ENABLED": "false"}, False),
        ({"MP_WEBHOOK_SECRET": "s"}, False),
        ({}, False),
    ],
)
def test_payments_are_enabled_by_the_flag_and_the_token_together(
    env: dict[str, str], enabled: bool
) -> None:
    assert Settings.from_env(env).payments_enabled is enabled
