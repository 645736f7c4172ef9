"""The console's routes under /panel, with what every one of them gets: the session guard,
CSRF protection on every form, error pages instead of problem JSON, and our static files."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.static_files import create_static_files_router

from entrypoints.http.compression import html_pages
from entrypoints.http.console.attention import ConversationsController, PaymentsController
from entrypoints.http.console.auth import console_guard
from entrypoints.http.console.blocks import BlockController
from entrypoints.http.console.booking_form import ManualBookingController
from entrypoints.http.console.bulk_prices import BulkPricesController
from entrypoints.http.console.cabins import CabinsController, CabinTextsController
from entrypoints.http.console.calendar import CalendarController
from entrypoints.http.console.channels import ChannelsController
from entrypoints.http.console.errors import console_exception
from entrypoints.http.console.ledger import LedgerController
from entrypoints.http.console.prices import PricesController
from entrypoints.http.console.queue import QueueController
from entrypoints.http.console.receipts import ReceiptController
from entrypoints.http.console.rendering import PREFIX, STATIC
from entrypoints.http.console.reservations import ReservationController
from entrypoints.http.console.sign_in import SignInController
from entrypoints.http.console.today import TodayController
from entrypoints.http.console.users import UsersController
from entrypoints.http.csrf import RenewingCSRFMiddleware
from entrypoints.http.routing import AppRouter
from entrypoints.settings import Settings

CSRF_COOKIE = "cabanas_csrf"
# Pages live under /panel/; the static files are public and carry no forms.
CONSOLE_CONTROLLERS = [
    TodayController,
    CalendarController,
    BlockController,
    ManualBookingController,
    ReservationController,
    LedgerController,
    SignInController,
    UsersController,
    ChannelsController,
    CabinsController,
    CabinTextsController,
    PricesController,
    BulkPricesController,
    PaymentsController,
    ConversationsController,
    QueueController,
    ReceiptController,
]


def csrf_secret(settings: Settings) -> str:
    """Derived from JWT_SECRET (production requires a strong one), so every process and
    machine signs CSRF tokens alike without another secret to manage; without it (development)
    a secret drawn for this process."""
    if settings.jwt_secret is not None and settings.jwt_secret.reveal():
        key = settings.jwt_secret.reveal().encode()
        return hmac.new(key, b"cabanas console csrf", hashlib.sha256).hexdigest()
    return secrets.token_hex(32)


def console_routers(settings: Settings) -> list[Router]:
    csrf = CSRFConfig(
        secret=csrf_secret(settings),
        cookie_name=CSRF_COOKIE,
        cookie_path=PREFIX,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=settings.environment == "production" or settings.force_https,
        header_name="x-csrftoken",
    )
    pages = AppRouter(
        path="/",
        route_handlers=CONSOLE_CONTROLLERS,
        guards=[console_guard],
        middleware=[html_pages(), DefineMiddleware(RenewingCSRFMiddleware, config=csrf)],
        exception_handlers={Exception: console_exception},
        include_in_schema=False,
    )
    static = create_static_files_router(
        path=f"{PREFIX}/static",
        directories=[STATIC],
        include_in_schema=False,
        cache_control=None,
        name="console_static",
    )
    return [pages, static]
