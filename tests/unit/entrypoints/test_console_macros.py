"""The console's form macros: each optional attribute stays a separate attribute."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from entrypoints.http.console.rendering import environment


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "textarea", "select"):
            self.found[tag] = dict(attrs)


def _render(call: str) -> dict[str, dict[str, str | None]]:
    source = "{% import '_macros.html' as m %}" + call
    parser = _Attributes()
    parser.feed(environment().from_string(source).render())
    return parser.found


def test_a_required_field_with_an_error_is_marked_invalid() -> None:
    attrs = _render("{{ m.field('email', 'Correo', errors={'email': 'Falta el correo.'}) }}")[
        "input"
    ]

    assert "required" in attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "e-email"


@pytest.mark.parametrize("required", [True, False])
def test_every_optional_attribute_of_a_field_survives(required: bool) -> None:
    attrs = _render(
        "{{ m.field('phone', 'Teléfono', autocomplete='tel', inputmode='tel', "
        f"required={required}, hint='Con código de área.') }}}}"
    )["input"]

    assert attrs["autocomplete"] == "tel"
    assert attrs["inputmode"] == "tel"
    assert ("required" in attrs) is required
    assert attrs["aria-describedby"] == "h-phone"
    assert "aria-invalid" not in attrs


def test_a_required_textarea_with_an_error_is_marked_invalid() -> None:
    attrs = _render(
        "{{ m.textarea('note', 'Nota', required=True, errors={'note': 'Falta la nota.'}) }}"
    )["textarea"]

    assert "required" in attrs
    assert attrs["aria-invalid"] == "true"
