"""What production refuses to start with. One list of problems, all reported at once; used by
start-up (the API factory and the sync worker) and by `cabanas config check`. Secrets are
judged, never printed."""

from __future__ import annotations

from urllib.parse import urlsplit

from adapters.postgres.database import sslmode
from adapters.smtp.url import parse_smtp_url
from entrypoints.settings import Secret, Settings

MIN_SECRET_LENGTH = 32
_PLACEHOLDER_WORDS = (
    "change",
    "placeholder",
    "example",
    "replace",
    "your",
    "secret",
    "password",
    "dummy",
    "todo",
)
_TLS_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})
_DISTINCT_CHARACTERS = 10


def weak_secret(value: Secret | None) -> str | None:
    """Why a secret is unacceptable, or None."""
    if value is None or not value.reveal():
        return "is not set"
    text = value.reveal()
    if len(text) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    lowered = text.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(text)) < _DISTINCT_CHARACTERS:
        return "looks like a placeholder"
    return None


def database_uses_tls(url: str) -> bool:
    try:
        return sslmode(url) in _TLS_SSLMODES
    except ValueError:  # not a PostgreSQL URL at all
        return False


def production_problems(s: Settings) -> list[str]:
    """Every reason the settings are not fit for production (empty = fit)."""
    return [*_secrets(s), *_exposure(s), *_connections(s), *_integrations(s), *_backups(s)]


def refuse_weak_production(settings: Settings) -> None:
    """In production, start only with settings fit for it, and say everything that is not.

    Exits (status 1, the list on stderr) before anything connects; the API and the sync worker
    share one deployment's settings, so they are held to the same list."""
    if settings.environment != "production":
        return
    problems = production_problems(settings)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise SystemExit(f"refusing to start in production:\n{listing}")


def _secrets(s: Settings) -> list[str]:
    problems = []
    if (why := weak_secret(s.jwt_secret)) is not None:
        problems.append(f"JWT_SECRET {why}")
    if (why := weak_secret(s.ics_salt)) is not None:
        problems.append(f"ICS_SALT {why}")
    if not s.admin_allowed_emails:
        problems.append("ADMIN_ALLOWED_EMAILS is empty: nobody could use the admin API")
    return problems


def _exposure(s: Settings) -> list[str]:
    problems = []
    if s.log_level == "debug":
        problems.append("LOG_LEVEL=debug is not allowed in production (use info)")
    if not s.cors_allowed_origins:
        problems.append("CORS_ALLOWED_ORIGINS is empty: list the sites allowed to call the API")
    elif any("*" in origin for origin in s.cors_allowed_origins):
        problems.append("CORS_ALLOWED_ORIGINS contains '*': list origins explicitly")
    if s.ical_allow_private_urls:
        problems.append("ICAL_ALLOW_PRIVATE_URLS=true lets calendar imports reach internal hosts")
    if s.rate_limit_per_minute == 0:
        problems.append("RATE_LIMIT_PER_MINUTE=0 turns rate limiting off")
    for name, value in (
        ("MAX_LIVE_HOLDS_PER_PHONE", s.max_live_holds_per_phone),
        ("MAX_LIVE_HOLDS_PER_CLIENT", s.max_live_holds_per_client),
        ("MAX_HOLD_NIGHTS", s.max_hold_nights),
    ):
        if value == 0:
            problems.append(f"{name}=0 lets anyone hold the whole calendar without paying")
    if not s.trusted_proxy:
        problems.append(
            "TRUSTED_PROXY=false behind Fly's proxy: every guest would share the proxy's "
            "address, one rate limit and one hold limit (fly.toml sets true)"
        )
    if s.hsts_max_age < 31_536_000:
        problems.append(
            f"HSTS_MAX_AGE={s.hsts_max_age}: browsers must keep to HTTPS for at least a year "
            "(31536000)"
        )
    if s.metrics_port == 0:
        problems.append(
            "METRICS_PORT=0 serves /metrics on the public port (booking counts, unlimited): "
            "set it (fly.toml: 9100)"
        )
    return problems


def _connections(s: Settings) -> list[str]:
    problems = []
    if s.redis_url is None:
        problems.append("REDIS_URL is not set")
    elif not s.redis_url.startswith("rediss://"):
        problems.append("REDIS_URL must use TLS (rediss://)")
    if s.database_url is None:
        problems.append("DATABASE_URL is not set")
    elif not database_uses_tls(s.database_url):
        problems.append("DATABASE_URL must require TLS (sslmode=require, verify-ca or verify-full)")
    if s.database_read_url is not None and not database_uses_tls(s.database_read_url):
        problems.append(
            "DATABASE_READ_URL must require TLS (sslmode=require, verify-ca or verify-full)"
        )
    return problems


def _integrations(s: Settings) -> list[str]:
    required = []
    if s.mercadopago_enabled:
        required += [("mp_access_token", "MERCADOPAGO"), ("mp_webhook_secret", "MERCADOPAGO")]
    if s.whatsapp_enabled:
        required += [
            ("whatsapp_token", "WHATSAPP"),
            ("whatsapp_app_secret", "WHATSAPP"),
            ("whatsapp_verify_token", "WHATSAPP"),
        ]
    problems = [
        f"{name.upper()} is not set (or set {flag}_ENABLED=false)"
        for name, flag in required
        if not _is_set(getattr(s, name))
    ]
    for name, url in (
        ("MP_API_BASE_URL", s.mp_api_base_url),
        ("WHATSAPP_API_BASE_URL", s.whatsapp_api_base_url),
    ):
        if not url.startswith("https://"):
            problems.append(f"{name} must be https:// (the access token travels with every call)")
    if s.whatsapp_enabled and not s.whatsapp_phone_number_id:
        problems.append("WHATSAPP_PHONE_NUMBER_ID is not set (or set WHATSAPP_ENABLED=false)")
    problems += _email(s)
    # Always: the iCal export links and the payment return and notification URLs are built
    # from it; unset, they would point at http://<HOST>:<PORT> (0.0.0.0:8000 in the image).
    if not (s.public_base_url or "").startswith("https://"):
        problems.append(
            "PUBLIC_BASE_URL must be the https:// address of this API (the iCal export links "
            "and Mercado Pago's notifications use it)"
        )
    for name in ("mp_webhook_secret", "whatsapp_app_secret"):
        value = getattr(s, name)
        if _is_set(value) and len(value.reveal()) < 16:
            problems.append(f"{name.upper()} is shorter than 16 characters")
    return problems


def _email(s: Settings) -> list[str]:
    """E-mail is optional; when on, its password and the guests' data travel encrypted."""
    if not s.email_enabled:
        return []
    assert s.smtp_url is not None
    problems = []
    try:
        server = parse_smtp_url(s.smtp_url.reveal())
    except ValueError as err:
        problems.append(str(err))
    else:
        if not server.encrypted:
            problems.append(
                "SMTP_URL must be encrypted in production (smtp+starttls:// or smtps://), "
                "or unset to turn e-mail off"
            )
    if not s.mail_from or "@" not in s.mail_from:
        problems.append("MAIL_FROM must be the sender address when SMTP_URL is set")
    return problems


def _backups(s: Settings) -> list[str]:
    """The recovery plan's "at most one day lost" rests on the sync process's daily dump, and a
    dump only on the sync machine's disk is lost with the machine."""
    problems = []
    if s.backup_every_hours == 0:
        problems.append("BACKUP_EVERY_HOURS=0: nothing takes the daily backup (fly.toml sets 24)")
    if not _is_set(s.backup_upload_command):
        problems.append(
            "BACKUP_UPLOAD_COMMAND is not set: the backups would stay on the sync machine's disk"
        )
    if not _is_set(s.backup_prune_command):
        problems.append(
            "BACKUP_PRUNE_COMMAND is not set: the uploaded backups, with guests' data, would be "
            "kept forever (docs/privacy.md promises 7 days)"
        )
    return problems


def _is_set(value: Secret | None) -> bool:
    return value is not None and bool(value.reveal())


def describe(s: Settings) -> list[str]:
    """What `cabanas config check` shows: values of plain settings, only set/unset for secrets."""
    lines = []
    for name in s.__struct_fields__:
        value = getattr(s, name)
        if isinstance(value, Secret) or name.endswith(("_secret", "_token", "_salt")):
            shown = "set" if _is_set(value) else "not set"
        elif name.endswith("_url") and value and urlsplit(value).netloc:
            parts = urlsplit(value)
            port = f":{parts.port}" if parts.port else ""
            host = parts.hostname or ""
            shown = f"{parts.scheme}://{host}{port}{parts.path} (credentials hidden)"
        else:
            shown = repr(value)
        lines.append(f"{name.upper()} = {shown}")
    return lines
