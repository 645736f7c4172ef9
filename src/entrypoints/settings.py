"""One typed settings object, read from the environment (field name upper-cased)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from domain.errors import DomainError
from domain.policy import (
    DEFAULT_DEPOSIT_PERCENT,
    DEFAULT_HOLD_MINUTES,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_MAX_NIGHTS,
    BookingPolicy,
)

Environment = Literal["development", "staging", "production"]
LogLevel = Literal["debug", "info", "warning", "error"]
Positive = Annotated[int, msgspec.Meta(ge=1)]


class SettingsError(ValueError):
    pass


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    # Unset → embedded PostgreSQL / Redis under DATA_DIR (development and tests only).
    database_url: str | None = None
    redis_url: str | None = None
    data_dir: str = ".data"
    db_pool_size: Positive = 10
    log_level: LogLevel = "info"
    hold_minutes: Positive = DEFAULT_HOLD_MINUTES
    deposit_percent: Decimal = DEFAULT_DEPOSIT_PERCENT  # 0..100, checked by BookingPolicy
    max_nights: Positive = DEFAULT_MAX_NIGHTS
    booking_horizon_days: Positive = DEFAULT_HORIZON_DAYS
    seed_sample_data: bool = True
    # How stale the cached list of cabins may be for reads (0 = no cache).
    catalogue_cache_seconds: Annotated[float, msgspec.Meta(ge=0, le=300)] = 2.0

    @property
    def booking_policy(self) -> BookingPolicy:
        return BookingPolicy(
            max_nights=self.max_nights,
            horizon_days=self.booking_horizon_days,
            hold_minutes=self.hold_minutes,
            deposit_percent=self.deposit_percent,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for name in cls.__struct_fields__:
            value = env.get(name.upper())
            if value is not None and value != "":
                raw[name] = value.lower() if name in {"environment", "log_level"} else value
        try:
            settings = msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as err:
            raise SettingsError(f"invalid setting: {_env_name(str(err))}") from None
        try:
            settings.booking_policy  # noqa: B018 - validates the policy values together
        except DomainError as err:
            raise SettingsError(f"invalid booking policy: {err.message}") from None
        return settings


def _env_name(message: str) -> str:
    # msgspec says "at `$.hold_minutes`"; operators know the variable as HOLD_MINUTES.
    if "`$." in message:
        head, _, rest = message.partition("`$.")
        field, _, tail = rest.partition("`")
        return f"{head}{field.upper()}{tail}"
    return message
