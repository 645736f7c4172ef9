"""The interactive API docs (``/api/v1/docs``): Swagger UI from files we ship, never a CDN.

See README.md here for the vendored files, their version and licence."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

ASSETS = Path(__file__).parent
VERSION = "5.35.0"
ASSETS_PATH = "/assets"  # under the docs' own path: /api/v1/docs/assets/…


class SwaggerUIFromOwnFiles(OpenAPIRenderPlugin):
    """The page loads only ``docs_path/assets/…`` and the schema: no inline script or style,
    no favicon from elsewhere."""

    def __init__(self, docs_path: str) -> None:
        super().__init__(path="/swagger", favicon="", style="")
        self.assets = f"{docs_path}{ASSETS_PATH}"

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        schema = escape(self.get_openapi_json_route(request))
        return (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>"
            f'<link rel="stylesheet" href="{self.assets}/swagger-ui-{VERSION}.css">'
            "</head><body>"
            f'<main id="docs" data-url="{schema}"></main>'
            f'<script src="{self.assets}/swagger-ui-bundle-{VERSION}.js"></script>'
            f'<script src="{self.assets}/docs.js"></script>'
            "</body></html>\n"
        ).encode()
