"""`cabanas whatsapp templates` prints what Meta's API takes, and the operators' page lists
exactly the templates the code declares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapters.whatsapp.templates import manager_listing
from application.ports.whatsapp_templates import TEMPLATES
from entrypoints.cli import main


def test_the_command_prints_one_request_body_per_template(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["whatsapp", "templates"]) == 0
    bodies = json.loads(capsys.readouterr().out)
    assert [b["name"] for b in bodies] == [t.name for t in TEMPLATES]
    for body, template in zip(bodies, TEMPLATES, strict=True):
        assert body["language"] == "es_AR"
        assert body["category"] == template.category
        assert body["parameter_format"] == "POSITIONAL"
        [component] = body["components"]
        assert component["type"] == "BODY"
        assert component["text"] == template.body
        [examples] = component["example"]["body_text"]
        assert len(examples) == len(re.findall(r"\{\{\d+\}\}", template.body))


def test_the_operators_page_is_the_declaration(project_root: Path) -> None:
    page = (project_root / "docs" / "whatsapp-templates.md").read_text()
    listed = page.split("<!-- templates:begin -->\n", 1)[1].split("<!-- templates:end -->", 1)[0]
    assert listed == manager_listing(), "regenerate the listing from adapters.whatsapp.templates"
