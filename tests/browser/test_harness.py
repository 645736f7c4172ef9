"""The harness itself can fail: axe reports a serious violation, a CSP violation is caught."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.harness import axe_violations

GOOD = """<!doctype html><html lang="es"><head><title>Bien</title></head>
<body><main><h1>Hola</h1><img src="data:," alt="un punto"></main></body></html>"""
# An image without alternative text and a button with no name: both "critical" for axe.
BAD = """<!doctype html><html lang="es"><head><title>Mal</title></head>
<body><main><h1>Hola</h1><img src="data:,"><button></button></main></body></html>"""


def test_axe_passes_a_clean_page_and_names_the_violations_of_a_bad_one(page: Page) -> None:
    page.set_content(GOOD)
    assert axe_violations(page) == []
    page.set_content(BAD)
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "button-name"} <= found


def test_a_page_viewport_is_the_one_asked_for(page: Page) -> None:
    page.set_content(GOOD)
    width = page.evaluate("window.innerWidth")
    assert width in {390, 1280}
