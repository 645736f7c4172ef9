"""Routers built for one app and registered once."""

from __future__ import annotations

import copy
from typing import Any, Self

from litestar import Router


class AppRouter(Router):
    """A ``Router`` that the app factory builds afresh for the one app it registers it in.

    Litestar deep-copies every router it registers, so that one router object can be registered
    in several places. Ours are built inside ``create_app`` (and the functions it calls) for
    that app alone, so the first registration takes the router itself: the copy was a quarter
    of building the app (~0.1 s of CPU: ~3,000 objects each for the API and the console), paid
    at every start and by every test that starts an app. A router registered again (it has an
    owner by then) is copied, as Litestar copies any other, all but its first owner.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        if self.owner is None:
            return self
        memo[id(self.owner)] = self.owner  # not copied: the copy's owner is set by its registrar
        reductor = self.__reduce_ex__(4)
        return copy._reconstruct(self, memo, *reductor)  # type: ignore[attr-defined,no-any-return]
