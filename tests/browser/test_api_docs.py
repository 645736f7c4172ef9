"""The interactive API docs render in headless Chromium with no network at all: every request
to a host other than 127.0.0.1 is refused, and the page still shows the API's operations with
no Content Security Policy violation (its scripts and styles are files the app ships)."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import LiveApp
from tests.browser.harness import PageWatch


def test_the_api_docs_render_from_our_own_files_without_a_network(
    page: Page, live_app: LiveApp
) -> None:
    elsewhere: list[str] = []
    local = "http://127.0.0.1:"

    def offline(route: Route) -> None:
        if route.request.url.startswith(local):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", offline)
    answer = page.goto(f"{live_app.base_url}/api/v1/docs")
    assert answer is not None
    assert answer.status == 200
    # Swagger UI drew the schema: the title and an operation's summary, styled by its sheet.
    expect(page.get_by_role("heading", name="Cabañas API")).to_be_visible()
    expect(page.get_by_text("Hold a stay (pre_reserved) until the deposit is paid")).to_be_visible()
    page.get_by_text("Hold a stay (pre_reserved) until the deposit is paid").click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.swagger-ui .info')).margin"
    ) != ("0px")
    watch: PageWatch = page.watch  # type: ignore[attr-defined]
    assert watch.csp_violations() == []
    assert elsewhere == []
