"""Routers built for one app and registered once."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Self

from litestar import Router
from litestar.handlers import BaseRouteHandler


class AppRouter(Router):
    """A ``Router`` that the app factory builds afresh for the one app it registers it in.

    Litestar deep-copies every router it registers, so that one router object can be registered
    in several places. Ours are built inside ``create_app`` (and the functions it calls) for
    that app alone, so the first registration takes the router itself: the copy was a quarter
    of building the app (~0.1 s of CPU: ~3,000 objects each for the API and the console), paid
    at every start and by every test that starts an app. A router registered again (it has an
    owner by then) is copied, as Litestar copies any other, all but its first owner.

    A route handler given as it is (a module's ``@get`` function, not a controller's) is
    copied here instead: Litestar takes a handler into the router that registers it (its owner
    is set, then what it resolves through its layers — middleware, guards, exception handlers —
    is kept on it). Once the router is no longer copied, the module's one handler object would
    belong to every app the process builds, each of them answering with what the first one
    resolved (its CSRF secret and cookie flags, say): each app gets its own.
    """

    def __init__(self, path: str, route_handlers: Sequence[Any] = (), **layer: Any) -> None:
        own = [copy.deepcopy(h) if isinstance(h, BaseRouteHandler) else h for h in route_handlers]
        super().__init__(path, route_handlers=own, **layer)

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        if self.owner is None:
            return self
        memo[id(self.owner)] = self.owner  # not copied: the copy's owner is set by its registrar
        reductor = self.__reduce_ex__(4)
        return copy._reconstruct(self, memo, *reductor)  # type: ignore[attr-defined,no-any-return]
