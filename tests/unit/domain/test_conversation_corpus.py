"""The WhatsApp corpus is the specification of ``interpret``: every case must read as written.

A field absent from a case means the message did not say it, so it is checked as ``None`` too:
the parser must not invent a head count, a date or a name.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from domain.conversation.intents import Intent
from domain.conversation.interpret import Expecting, Interpretation, interpret
from tests.unit.domain.builders import ARGENTINE_HOLIDAYS

CORPUS_PATH = Path(__file__).resolve().parents[2] / "data" / "whatsapp_corpus.json"
CORPUS: dict[str, Any] = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = CORPUS["cases"]
DEFAULT_TODAY = date.fromisoformat(CORPUS["default_today"])
MIN_CASES = 150


def _case_id(case: dict[str, Any]) -> str:
    readable = re.sub(r"[^0-9A-Za-zÁÉÍÓÚáéíóúÑñ¿?¡! ,/-]", "", case["text"]).strip()[:48]
    return f"{case['intent']}:{readable or 'emoji'}"


def _read(case: dict[str, Any]) -> Interpretation:
    expecting = case.get("expecting")
    return interpret(
        case["text"],
        date.fromisoformat(case.get("today", CORPUS["default_today"])),
        cabin_names=case.get("cabin_names", ()),
        expecting=Expecting(expecting) if expecting else None,
        holidays=ARGENTINE_HOLIDAYS,
    )


def _optional_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    check_in = _optional_date(case.get("check_in"))
    check_out = _optional_date(case.get("check_out"))
    nights = case.get("nights")
    if nights is None and check_in and check_out:
        nights = (check_out - check_in).days
    return {
        "intent": Intent(case["intent"]),
        "check_in": check_in,
        "check_out": check_out,
        "nights": nights,
        "guests": case.get("guests"),
        "choice": case.get("choice"),
        "cabin": case.get("cabin"),
        "code": case.get("code"),
        "name": case.get("name"),
        "ambiguous": case.get("ambiguous", False),
    }


def _actual(found: Interpretation, case: dict[str, Any]) -> dict[str, Any]:
    dates = found.dates
    actual = {
        "intent": found.intent,
        "check_in": dates.check_in if dates else None,
        "check_out": dates.check_out if dates else None,
        "nights": dates.nights if dates else None,
        "guests": found.guests,
        "choice": found.choice,
        "cabin": found.cabin,
        "code": found.reservation_code,
        "name": found.name,
        "ambiguous": found.ambiguity is not None,
    }
    if "ambiguity" in case:
        actual["ambiguity"] = found.ambiguity
    return actual


@cache
def _mismatches_of(index: int) -> dict[str, tuple[Any, Any]]:
    """Memoized so the accuracy summary reuses the readings of the parametrized run."""
    return _mismatches(CASES[index])


def _mismatches(case: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    expected = _expected(case)
    if "ambiguity" in case:
        expected["ambiguity"] = case["ambiguity"]
    actual = _actual(_read(case), case)
    return {key: (want, actual[key]) for key, want in expected.items() if actual[key] != want}


@pytest.mark.parametrize("index", range(len(CASES)), ids=[_case_id(case) for case in CASES])
def test_message_reads_as_the_owner_would(index: int) -> None:
    assert _mismatches_of(index) == {}, CASES[index]["text"]


def test_corpus_accuracy_is_total_and_covers_every_intent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    failures = [case["text"] for index, case in enumerate(CASES) if _mismatches_of(index)]
    accuracy = 1 - len(failures) / len(CASES)
    per_intent = Counter(case["intent"] for case in CASES)
    with capsys.disabled():
        print(f"\nWhatsApp corpus: {len(CASES)} cases, accuracy {accuracy:.1%}")
        print("  " + ", ".join(f"{intent} {count}" for intent, count in sorted(per_intent.items())))
    assert len(CASES) >= MIN_CASES
    assert set(per_intent) == {intent.value for intent in Intent}
    assert failures == []
