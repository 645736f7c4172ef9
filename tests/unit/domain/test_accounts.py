from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts import (
    InvalidEmail,
    SessionLifetime,
    WeakPassword,
    check_new_password,
    normalize_email,
)
from domain.errors import InvalidValue

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_emails_are_trimmed_and_lower_cased_and_malformed_ones_refused() -> None:
    assert normalize_email("  Ana@Cabanas.AR ") == "ana@cabanas.ar"
    for bad in ["", "ana", "ana@", "@x.ar", "ana@localhost", "a b@x.ar", "a@b@x.ar"]:
        with pytest.raises(InvalidEmail):
            normalize_email(bad)


def test_passwords_need_twelve_characters_and_cannot_be_the_email() -> None:
    check_new_password("una frase larga", "ana@x.ar")
    with pytest.raises(WeakPassword):
        check_new_password("corta", "ana@x.ar")
    with pytest.raises(WeakPassword):
        check_new_password("ANA@X.AR", "ana@x.ar")
    with pytest.raises(WeakPassword):
        check_new_password("x" * 257, "ana@x.ar")


def test_a_session_ends_when_idle_or_at_its_absolute_lifetime() -> None:
    life = SessionLifetime(idle=timedelta(hours=12), absolute=timedelta(days=7))
    assert not life.ended(T0, T0, T0 + timedelta(hours=11, minutes=59))
    assert life.ended(T0, T0, T0 + timedelta(hours=12))
    recently_used = T0 + timedelta(days=6, hours=23)
    assert not life.ended(T0, recently_used, T0 + timedelta(days=6, hours=23, minutes=30))
    assert life.ended(T0, recently_used, T0 + timedelta(days=7))
    with pytest.raises(InvalidValue):
        SessionLifetime(idle=timedelta(days=8), absolute=timedelta(days=7))
