import logging
import secrets

import pytest

from entrypoints.cli import main
from entrypoints.production import production_problems, refuse_weak_production, weak_secret
from entrypoints.settings import Secret, Settings, SettingsError

STRONG = {
    "ENVIRONMENT": "production",
    "JWT_SECRET": secrets.token_urlsafe(48),
    "ICS_SALT": secrets.token_urlsafe(48),
    "ADMIN_ALLOWED_EMAILS": "owner@cabanas.ar, ops@cabanas.ar",
    "CORS_ALLOWED_ORIGINS": "https://cabanas.ar",
    # pragma: allowlist nextline secret
    "DATABASE_URL": "postgres://app:pw@db.internal:5432/cabanas?sslmode=require",
    "REDIS_URL": "rediss://default:pw@redis.upstash.io:6379",  # pragma: allowlist secret
    "MP_ACCESS_TOKEN": "APP_USR-123",
    "MP_WEBHOOK_SECRET": secrets.token_hex(32),
    "WHATSAPP_TOKEN": "EAAG123",
    "WHATSAPP_APP_SECRET": secrets.token_hex(16),
    "WHATSAPP_VERIFY_TOKEN": secrets.token_hex(16),
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "PUBLIC_BASE_URL": "https://sist-cabanas-prod.fly.dev",
    "BACKUP_EVERY_HOURS": "24",
    "METRICS_PORT": "9100",
    "TRUSTED_PROXY": "true",
    "BACKUP_UPLOAD_COMMAND": "rclone copy --s3-no-check-bucket {file} tigris:cabanas-backups/",
    "BACKUP_PRUNE_COMMAND": "rclone delete --min-age 7d tigris:cabanas-backups/",
}


# pragma: allowlist nextline secret
PLAIN_SMTP = "smtp://u:pw@mail.example.com:25"
# pragma: allowlist nextline secret
STARTTLS = "smtp+starttls://u:pw@smtp.example.com:587"
SMTPS = "smtps://u:pw@smtp.example.com"  # pragma: allowlist secret


def test_strong_settings_pass() -> None:
    assert production_problems(Settings.from_env(STRONG)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"JWT_SECRET": "short"}, "JWT_SECRET is shorter than 32"),  # pragma: allowlist secret
        (
            {"JWT_SECRET": "changeme-changeme-changeme-changeme-123"},  # pragma: allowlist secret
            "JWT_SECRET looks like a placeholder",
        ),
        ({"JWT_SECRET": "a" * 40}, "JWT_SECRET looks like a placeholder"),
        ({"ICS_SALT": ""}, "ICS_SALT is not set"),
        ({"PUBLIC_BASE_URL": "http://cabanas.ar"}, "PUBLIC_BASE_URL must be the https://"),
        ({"WHATSAPP_PHONE_NUMBER_ID": ""}, "WHATSAPP_PHONE_NUMBER_ID is not set"),
        ({"MP_WEBHOOK_SECRET": "abc"}, "MP_WEBHOOK_SECRET is shorter than 16"),
        ({"LOG_LEVEL": "debug"}, "LOG_LEVEL=debug"),
        ({"CORS_ALLOWED_ORIGINS": ""}, "CORS_ALLOWED_ORIGINS is empty"),
        ({"CORS_ALLOWED_ORIGINS": "https://a.ar,*"}, "contains '*'"),
        ({"REDIS_URL": "redis://r:6379"}, "rediss://"),
        ({"DATABASE_URL": "postgres://u@h/db"}, "sslmode=require"),
        ({"DATABASE_URL": "postgres://u@h/db?sslmode=prefer"}, "sslmode=require"),
        ({"DATABASE_READ_URL": "postgres://u@replica/db"}, "DATABASE_READ_URL must require TLS"),
        ({"MP_WEBHOOK_SECRET": ""}, "MP_WEBHOOK_SECRET is not set"),
        ({"WHATSAPP_APP_SECRET": ""}, "WHATSAPP_APP_SECRET is not set"),
        ({"ADMIN_ALLOWED_EMAILS": ""}, "ADMIN_ALLOWED_EMAILS is empty"),
        ({"BACKUP_EVERY_HOURS": "0"}, "nothing takes the daily backup"),
        ({"METRICS_PORT": "0"}, "METRICS_PORT=0 serves /metrics on the public port"),
        (
            {"SMTP_URL": PLAIN_SMTP, "MAIL_FROM": "r@cabanas.ar"},
            "SMTP_URL must be encrypted in production",
        ),
        ({"SMTP_URL": SMTPS}, "MAIL_FROM must be the sender"),
        ({"BACKUP_UPLOAD_COMMAND": ""}, "BACKUP_UPLOAD_COMMAND is not set"),
        ({"BACKUP_PRUNE_COMMAND": ""}, "BACKUP_PRUNE_COMMAND is not set"),
        ({"TRUSTED_PROXY": "false"}, "TRUSTED_PROXY=false behind Fly's proxy"),
        ({"HSTS_MAX_AGE": "0"}, "HSTS_MAX_AGE=0: browsers must keep to HTTPS"),
        ({"MP_API_BASE_URL": "http://api.mercadopago.com"}, "MP_API_BASE_URL must be https://"),
        (
            {"WHATSAPP_API_BASE_URL": "http://graph.facebook.com"},
            "WHATSAPP_API_BASE_URL must be https://",
        ),
    ],
)
def test_each_weakness_is_named(change: dict[str, str], expected: str) -> None:
    problems = production_problems(Settings.from_env({**STRONG, **change}))
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("url", [STARTTLS, SMTPS])
def test_encrypted_email_passes(url: str) -> None:
    email = {"SMTP_URL": url, "MAIL_FROM": "Cabañas <reservas@cabanas.ar>"}
    assert production_problems(Settings.from_env({**STRONG, **email})) == []


def test_an_smtp_url_that_is_not_one_stops_any_environment() -> None:
    with pytest.raises(SettingsError, match="SMTP_URL must start with"):
        Settings.from_env({"SMTP_URL": "http://mail.example.com"})


def test_a_tls_read_replica_passes() -> None:
    strong = {**STRONG, "DATABASE_READ_URL": "postgres://u@replica/db?sslmode=verify-full"}
    assert production_problems(Settings.from_env(strong)) == []


def test_disabled_integrations_need_no_credentials() -> None:
    env = {k: v for k, v in STRONG.items() if not k.startswith(("MP_", "WHATSAPP_"))}
    env |= {"MERCADOPAGO_ENABLED": "false", "WHATSAPP_ENABLED": "false"}
    assert production_problems(Settings.from_env(env)) == []


def test_public_base_url_is_required_even_without_mercado_pago() -> None:
    """The iCal export links are built from it too: unset, they point at 0.0.0.0:8000."""
    env = {k: v for k, v in STRONG.items() if not k.startswith(("MP_", "PUBLIC_BASE_URL"))}
    env |= {"MERCADOPAGO_ENABLED": "false"}
    problems = production_problems(Settings.from_env(env))
    assert any("PUBLIC_BASE_URL must be the https://" in p for p in problems), problems
    ok = production_problems(
        Settings.from_env(env | {"PUBLIC_BASE_URL": STRONG["PUBLIC_BASE_URL"]})
    )
    assert ok == []


def test_all_problems_are_reported_at_once_and_start_up_refuses() -> None:
    weak = Settings.from_env({"ENVIRONMENT": "production", "JWT_SECRET": "tiny-secret-value"})
    with pytest.raises(SystemExit) as stop:
        refuse_weak_production(weak)
    message = str(stop.value)
    assert "JWT_SECRET" in message
    assert "ICS_SALT" in message
    assert "REDIS_URL" in message
    assert "tiny-secret-value" not in message


def test_development_is_not_held_to_production_rules() -> None:
    refuse_weak_production(Settings.from_env({"JWT_SECRET": "x"}))


def test_secrets_never_show_in_repr() -> None:
    s = Settings.from_env(STRONG)
    assert STRONG["JWT_SECRET"] not in repr(s)
    assert repr(Secret("hunter2")) == "Secret('***')"
    assert weak_secret(None) == "is not set"


def test_config_check_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in STRONG.items():
        monkeypatch.setenv(key, value)
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "ready for production" in out
    assert STRONG["JWT_SECRET"] not in out
    assert STRONG["MP_WEBHOOK_SECRET"] not in out
    assert ":pw@" not in out  # credentials inside URLs are hidden too
    assert ":///" not in out  # a path-only URL (PAYMENT_RETURN_URL's default) is shown as is
    monkeypatch.setenv("JWT_SECRET", "short")
    assert main(["config", "check"]) == 1
    assert "JWT_SECRET is shorter" in capsys.readouterr().out
    # Quiet while it runs, not after: called in-process it must not silence later logging.
    assert logging.root.manager.disable == logging.NOTSET


def test_admin_token_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from adapters.security.jwt import verify

    monkeypatch.setenv("JWT_SECRET", STRONG["JWT_SECRET"])
    monkeypatch.setenv("ADMIN_ALLOWED_EMAILS", "owner@cabanas.ar")
    assert main(["admin", "token", "--email", "Owner@Cabanas.ar", "--ttl-hours", "2"]) == 0
    issued = capsys.readouterr().out.strip()
    claims = verify(
        STRONG["JWT_SECRET"], issued, now=datetime.now(UTC), max_ttl=timedelta(hours=12)
    )
    assert claims.email == "owner@cabanas.ar"
    assert main(["admin", "token", "--email", "owner@cabanas.ar", "--ttl-hours", "48"]) == 2


def test_sample_cabins_are_never_seeded_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in STRONG.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SystemExit, match="sample cabins are for development"):
        main(["seed"])
