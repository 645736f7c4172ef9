"""Reading HTML forms: text fields trimmed to a bound, never an exception for odd input (the
page re-renders with the field named instead)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request


@dataclass(frozen=True, slots=True)
class Form:
    values: dict[str, str]

    def text(self, name: str, max_length: int) -> str:
        return self.values.get(name, "").strip()[:max_length]

    def day(self, name: str) -> date | None:
        try:
            return date.fromisoformat(self.values.get(name, "").strip())
        except ValueError:
            return None

    def integer(self, name: str) -> int | None:
        raw = self.values.get(name, "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 10 else None


async def read_form(request: Request[Any, Any, Any]) -> Form:
    form = await request.form()
    return Form({k: v for k, v in form.items() if isinstance(v, str)})
