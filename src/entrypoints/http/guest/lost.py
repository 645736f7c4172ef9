"""What a browser gets at an address that is no page: the site's root and the near misses a
guest types after seeing the domain (``/reservas``, ``/r``, ``/Reservar``) go to ``/reservar``;
any other unknown address is a Spanish page linking there. The API (``/api/``) and clients that
do not ask for HTML keep problem JSON."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Redirect

from entrypoints.http.guest.booking import BOOKING_PATH
from entrypoints.http.guest.page import guest_page

# Compared lower-cased, without trailing slashes ("/" is "").
NEAR_MISSES = frozenset(
    {"", "/r", "/reserva", "/reservas", "/reservar", "/reservá", "/reserve", "/booking"}
)


def wants_page(request: Request[Any, Any, Any], path: str) -> bool:
    """A browser (it asks for HTML) reading (GET or HEAD) anything but the API."""
    if request.method not in ("GET", "HEAD") or path == "/api" or path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def lost_page(request: Request[Any, Any, Any], path: str) -> Response[Any]:
    if path.rstrip("/").lower() in NEAR_MISSES:
        # The search the guest may have typed or been sent (?check_in=…) goes along.
        query = request.scope.get("query_string", b"").decode("latin-1")
        return Redirect(f"{BOOKING_PATH}?{query}" if query else BOOKING_PATH, status_code=302)
    return guest_page(
        "guest_error.html",
        status=404,
        title="Página no encontrada",
        heading="No encontramos esa página",
        message="Revisá la dirección. Para ver las cabañas libres y reservar:",
        link=(BOOKING_PATH, "Reservá tu cabaña"),
        trace_id=None,
    )
