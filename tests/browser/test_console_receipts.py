"""A transfer receipt in a real browser, at a phone's and a desktop's size, checked by axe and
the strict CSP: Hoy lists it, its page shows the photo inline (served by the console from our
own origin), a rejection without a reason is named, and approving it with the amount owed
records the transfer and confirms the hold."""

from __future__ import annotations

import hashlib
import struct
import zlib

import asyncpg
from playwright.sync_api import Page, expect

from domain.accounts import Role
from domain.calendar import local_today
from tests.browser.conftest import OWNERS, Check, LiveApp
from tests.browser.harness import Viewport, run_async
from tests.browser.test_console_flow import HOLD, seed_scenario
from tests.browser.test_console_pages import join
from tests.money_text import PESO


def png(width: int = 120, height: int = 60) -> bytes:
    """A small real PNG (a grey rectangle), so the browser has something to draw."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x90\x90\x90" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def receipt_for_the_hold(live: LiveApp) -> None:
    content = png()

    async def run() -> None:
        assert live.settings.database_url is not None
        conn = await asyncpg.connect(live.settings.database_url)
        try:
            await conn.execute(
                "INSERT INTO booking_receipts (reservation_id, media_id, mime_type, size_bytes, "
                "sha256, content, received_at) SELECT id, 'm-1', 'image/png', $2, $3, $4, $5 "
                "FROM reservations WHERE code = $1",
                HOLD,
                len(content),
                hashlib.sha256(content).hexdigest(),
                content,
                live.clock.now(),
            )
        finally:
            await conn.close()

    run_async(run)


def test_owner_reviews_a_transfer_receipt(
    page: Page, live_app: LiveApp, check: Check, viewport: Viewport
) -> None:
    now = live_app.clock.now()
    seed_scenario(live_app, local_today(now), now)
    receipt_for_the_hold(live_app)
    join(page, live_app, OWNERS[0] if viewport.name == "phone" else OWNERS[1], Role.OWNER)

    expect(page.get_by_text("Comprobantes para revisar")).to_be_visible()
    page.get_by_role("link", name="Revisar el comprobante").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Comprobante de la reserva")
    picture = page.get_by_role("img", name="Comprobante de transferencia que mandó el huésped")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 120
    expect(page.get_by_label("Monto del comprobante (pesos)")).to_have_value("120.000")
    check(page, "comprobante")

    page.get_by_role("button", name="Rechazar").click()
    expect(page.get_by_text("Escribí por qué lo rechazás")).to_be_visible()
    check(page, "comprobante-sin-motivo")

    page.get_by_role("button", name="Aprobar").click()
    expect(page.get_by_text("El pago quedó registrado y la reserva, confirmada.")).to_be_visible()
    expect(page.locator("section", has_text="Pagos").first).to_contain_text(
        f"Transferencia · {PESO}120.000"
    )
    page.get_by_role("navigation", name="Secciones").get_by_role("link", name="Hoy").click()
    expect(page.get_by_text("Comprobantes para revisar")).to_have_count(0)
