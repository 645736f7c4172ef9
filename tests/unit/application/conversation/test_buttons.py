from datetime import date

import pytest

from domain.conversation.state import PickedOption, picked_option


def test_a_pick_button_stands_for_its_offer() -> None:
    assert picked_option("pick:1:20261204:20261208:4") == PickedOption(
        1, date(2026, 12, 4), date(2026, 12, 8), 4
    )


@pytest.mark.parametrize(
    "button",
    [
        "pick:፪:20261204:20261208:4",
        "pick:1:2026120٤:20261208:4",
        "pick:1:20261204:20261208:²",
        "pick:" + "9" * 40 + ":20261204:20261208:4",
        "pick:1:20261304:20261208:4",
        "pick:+1:20261204:20261208:4",
        "pick:1_0:20261204:20261208:4",
        "pick:1:20261204:20261208",
        "cancel:ABCD",
    ],
    ids=[
        "ethiopic",
        "arabic-indic",
        "superscript",
        "huge",
        "month-13",
        "sign",
        "underscore",
        "short",
        "other",
    ],
)
def test_a_malformed_button_is_no_pick(button: str) -> None:
    assert picked_option(button) is None
