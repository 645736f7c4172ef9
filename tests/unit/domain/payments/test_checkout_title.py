"""What the guest reads on Mercado Pago's checkout: what is paid, the cabin, the nights and the
code, within the title's length."""

from __future__ import annotations

from datetime import date

from domain.payments.checkout import MAX_TITLE, CheckoutPurpose, checkout_title
from domain.stay import Stay

CODE = "19C2-FR31-4KY7"


def test_the_title_names_cabin_dates_and_code() -> None:
    stay = Stay(date(2026, 12, 22), date(2026, 12, 24))
    assert checkout_title(CheckoutPurpose.DEPOSIT, "Cabaña del Bosque", stay, CODE) == (
        "Seña · Cabaña del Bosque · 22/12 al 24/12/2026 · 19C2-FR31-4KY7"
    )
    assert checkout_title(CheckoutPurpose.BALANCE, "Cabaña del Bosque", stay, CODE).startswith(
        "Saldo · Cabaña del Bosque · "
    )


def test_a_stay_into_the_next_year_shows_both_years() -> None:
    stay = Stay(date(2026, 12, 30), date(2027, 1, 2))
    title = checkout_title(CheckoutPurpose.DEPOSIT, "Lago", stay, CODE)
    assert title == "Seña · Lago · 30/12/2026 al 02/01/2027 · 19C2-FR31-4KY7"


def test_a_long_cabin_name_is_cut_and_the_dates_and_code_kept() -> None:
    stay = Stay(date(2026, 12, 22), date(2026, 12, 24))
    title = checkout_title(CheckoutPurpose.DEPOSIT, "Cabaña " * 80, stay, CODE)
    assert len(title) == MAX_TITLE
    assert title.endswith("… · 22/12 al 24/12/2026 · 19C2-FR31-4KY7")


def test_without_a_cabin_name_the_title_still_reads() -> None:
    stay = Stay(date(2026, 12, 22), date(2026, 12, 24))
    title = checkout_title(CheckoutPurpose.DEPOSIT, "", stay, CODE)
    assert title == "Seña · 22/12 al 24/12/2026 · 19C2-FR31-4KY7"
