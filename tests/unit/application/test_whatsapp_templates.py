"""The template declarations keep Meta's rules, and values are cleaned the way it accepts."""

from __future__ import annotations

import pytest

from application.ports.outbox import Topic
from application.ports.whatsapp_templates import (
    BALANCE_REMINDER,
    BOOKING_CONFIRMED,
    MAX_BODY,
    OWNER_ALERT,
    TEMPLATES,
    Param,
    Template,
    TemplateMisuse,
)
from tests.money_text import PESO


def test_the_business_initiated_messages_each_have_one_template() -> None:
    assert {t.topic for t in TEMPLATES} == {
        Topic.BOOKING_CONFIRMED,
        Topic.DEPOSIT_LINK,
        Topic.BALANCE_REMINDER,
        Topic.PRE_ARRIVAL,
        Topic.CHECK_OUT_REMINDER,
        Topic.THANK_YOU,
        Topic.OWNER_ALERT,
        Topic.OWNER_DAILY_SUMMARY,
    }
    assert len({t.name for t in TEMPLATES}) == len(TEMPLATES)
    assert all(t.language == "es_AR" for t in TEMPLATES)
    # Only the request for a review is not about a transaction in progress (Meta's MARKETING);
    # it says how to opt out.
    marketing = [t for t in TEMPLATES if t.category == "MARKETING"]
    assert [t.topic for t in marketing] == [Topic.THANK_YOU]
    assert "BAJA" in marketing[0].body
    assert {t.category for t in TEMPLATES if t not in marketing} == {"UTILITY"}
    assert all("{{" not in t.example for t in TEMPLATES)


@pytest.mark.parametrize(
    "body",
    ["{{1}} hola.", "Hola {{1}}", "Hola {{2}} y {{1}}.", "Hola {{1}} y {{1}}.", "Hola."],
)
def test_declarations_against_the_rules_are_refused(body: str) -> None:
    with pytest.raises(TemplateMisuse):
        Template("t", Topic.OWNER_ALERT, "UTILITY", body, (Param("a", "x"), Param("b", "y")))


def test_values_are_cleaned_and_counted() -> None:
    use = BOOKING_CONFIRMED.use("Juana\n", "ABCD", "Cabaña\tdel     Lago", "18/12", "21/12", "")
    assert use.name == "reserva_confirmada"
    assert use.language == "es_AR"
    assert use.params == ("Juana", "ABCD", "Cabaña del Lago", "18/12", "21/12", "-")
    with pytest.raises(TemplateMisuse):
        BOOKING_CONFIRMED.use("Juana")


def test_the_no_break_space_of_an_amount_is_kept_and_other_blanks_are_cleaned() -> None:
    # "$" stays joined to its amount as in every other message (Meta refuses line breaks,
    # tabs and runs of spaces, not this); two in a row, or beside a space, are one space.
    use = BALANCE_REMINDER.use("Juana", "ABCD", "Lago", f"{PESO}202.300", "18/12")
    assert use.params[3] == f"{PESO}202.300"
    run = BALANCE_REMINDER.use("J", "A", "L", f"{PESO}\u00a0202.300 \u00a0x", "1")
    assert run.params[3] == "$ 202.300 x"


def test_a_long_value_is_shortened_so_the_filled_in_body_fits() -> None:
    use = OWNER_ALERT.use("x" * 3000)
    assert len(OWNER_ALERT.render(use.params)) <= MAX_BODY
    assert use.params[0].endswith("…")
