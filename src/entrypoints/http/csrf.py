"""Litestar's CSRF middleware, but a page fetched with a CSRF cookie that the current secret did
not sign gets a new one.

Litestar's page (a safe method) reuses the cookie it finds as the form's token and never
replaces it. A cookie signed under another secret (``JWT_SECRET`` rotated; ``make run`` without
it draws a secret per process) then never validates: every form was refused until the browser
dropped its cookies, however often the page was reloaded as the refusal advises. Here the page
replaces such a cookie, so the form it shows goes through; a refused form is sent again from
the page reloaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware, generate_csrf_token
from litestar.utils.scope.state import ScopeState

if TYPE_CHECKING:
    from litestar.connection import Request
    from litestar.types import Receive, Scope, Send


class RenewingCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope["method"] in self.config.safe_methods
            and not should_bypass_middleware(
                scope=scope,
                scopes=self.scopes,
                exclude_opt_key=self.config.exclude_from_csrf_key,
                exclude_path_pattern=self.exclude,
            )
        ):
            request: Request[Any, Any, Any] = scope["litestar_app"].request_class(
                scope=scope, receive=receive
            )
            cookie = request.cookies.get(self.config.cookie_name)
            # The check a form's POST makes of the cookie (the token's HMAC under this secret).
            if cookie is not None and self._decode_csrf_token(cookie) is None:
                token = generate_csrf_token(secret=self.config.secret)
                ScopeState.from_scope(scope).csrf_token = token
                # As if the browser had sent none: the new token is set as its cookie.
                await self.app(scope, receive, self.create_send_wrapper(send, token, None))
                return
        await super().__call__(scope, receive, send)
