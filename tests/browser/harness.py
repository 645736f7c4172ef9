"""What every browser test uses: Debian's Chromium through Playwright, two viewports, an
accessibility check (axe-core) and screenshots kept as test artifacts (git-ignored).

Pages are checked as a person meets them: ``check(page, "name")`` after every navigation runs
axe-core on the page (no serious or critical violation allowed), fails on any Content Security
Policy violation the page reported, and saves a screenshot under tests/browser/artifacts/.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe-4.14.1.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
# axe's impacts, lowest to highest; these two fail a test.
FAILING_IMPACTS = frozenset({"serious", "critical"})


@dataclass(frozen=True, slots=True)
class Viewport:
    name: str
    width: int
    height: int


PHONE = Viewport("phone", 390, 844)
DESKTOP = Viewport("desktop", 1280, 800)
VIEWPORTS = (PHONE, DESKTOP)


@dataclass
class PageWatch:
    """Console errors a page reported (CSP violations among them), collected as they come."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def csp_violations(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e]


def run_async[T](make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end from a browser test: Playwright's sync API keeps an event loop
    running in the test's thread, so the coroutine gets a thread and a loop of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical violations on the current page. axe is evaluated through the
    DevTools protocol, which the page's CSP does not govern: the page under test keeps its
    real, strict policy."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
             runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                             'best-practice']},
             resultTypes: ['violations']})"""
    )
    return [v for v in result["violations"] if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in violations
    )


def screenshot(page: Page, test_name: str, viewport: Viewport, step: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", f"{test_name}-{viewport.name}-{step}")
    path = ARTIFACTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
