"""A cabin's price forms read into the domain's rules: a season, a dated override, the
long-weekend rule and the fees, each from its own form on the cabin's Precios page (fields
prefixed ``t_``, ``f_``, ``l_``, ``c_``). A field that cannot be read is named here, in
Spanish; what the rules then refuse together (a night made free, two rules on the same
nights) is the use case's to say."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from domain.errors import DomainError
from domain.money import Money
from domain.pricing import (
    DateOverride,
    DayMonth,
    Fees,
    LongWeekendRule,
    Rate,
    RecurringRange,
    Season,
)
from domain.pricing.rules import LONG_WEEKEND_NAME
from entrypoints.http.console.forms import Form

MAX_NIGHTS = 366
_CENT = Decimal("0.01")
AMOUNT = "Escribí un monto en pesos mayor que 0, por ejemplo 85.000."
ONE_OF = "Poné un precio por noche o un porcentaje sobre el precio base (uno de los dos)."
PERCENT = "Un porcentaje como 30 (más caro) o -20 (más barato), mayor que -100."


class Reader:
    """Reads one form, collecting its errors by field."""

    def __init__(self, form: Form, currency: str) -> None:
        self.form, self.currency = form, currency
        self.errors: dict[str, str] = {}

    def name(self, name: str) -> str:
        text = self.form.text(name, 80)
        if not text:
            self.errors[name] = "Poné un nombre (por ejemplo Temporada alta)."
        return text

    def money(self, name: str, *, optional: bool = False) -> Money | None:
        if optional and not self.form.text(name, 30):
            return None
        amount = self.form.amount(name)
        if amount is None or amount <= 0 or amount != amount.quantize(_CENT):
            self.errors[name] = AMOUNT
            return None
        return Money.of(amount, self.currency)

    def fee(self, name: str) -> Money:
        """A fee may be left empty or 0: none."""
        if self.form.text(name, 30) in ("", "0"):
            return Money.zero(self.currency)
        return self.money(name) or Money.zero(self.currency)

    def nights(self, name: str) -> int | None:
        if not self.form.text(name, 10):
            return None
        value = self.form.integer(name)
        if value is None or not 1 <= value <= MAX_NIGHTS:
            self.errors[name] = f"Una cantidad de noches, de 1 a {MAX_NIGHTS}."
            return None
        return value

    def rate(self, prefix: str) -> Rate | None:
        price, percent = f"{prefix}_precio", f"{prefix}_porcentaje"
        if bool(self.form.text(price, 30)) == bool(self.form.text(percent, 10)):
            self.errors[price] = ONE_OF
            return None
        if self.form.text(price, 30):
            nightly = self.money(price)
            return None if nightly is None else self.build(lambda: Rate(nightly=nightly), price)
        raw = self.form.text(percent, 10).replace("%", "").replace(",", ".").strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value != value.quantize(_CENT):
            self.errors[percent] = PERCENT
            return None
        return self.build(lambda: Rate(percent_over_base=value), percent, PERCENT)

    def day_month(self, name: str) -> DayMonth | None:
        try:
            return DayMonth.parse(self.form.text(name, 10))
        except DomainError:
            self.errors[name] = "Un día del año como 15/12 (día/mes)."
            return None

    def build[T](self, make: Callable[[], T], name: str, message: str = AMOUNT) -> T | None:
        try:
            return make()
        except DomainError:
            self.errors.setdefault(name, message)
            return None


def read_season(form: Form, currency: str) -> tuple[Season | None, dict[str, str]]:
    r = Reader(form, currency)
    name, rate = r.name("t_nombre"), r.rate("t")
    first, last = r.day_month("t_desde"), r.day_month("t_hasta")
    weekend, min_nights = r.money("t_finde", optional=True), r.nights("t_minimo")
    if r.errors or rate is None or first is None or last is None:
        return None, r.errors
    season = r.build(
        lambda: Season(name, RecurringRange(first, last), rate, weekend, min_nights), "t_nombre"
    )
    return season, r.errors


def read_override(form: Form, currency: str) -> tuple[DateOverride | None, dict[str, str]]:
    r = Reader(form, currency)
    name, rate, min_nights = r.name("f_nombre"), r.rate("f"), r.nights("f_minimo")
    first, last = form.day("f_desde"), form.day("f_hasta")
    if first is None:
        r.errors["f_desde"] = "Poné la primera noche."
    if last is None:
        r.errors["f_hasta"] = "Poné la última noche."
    elif first is not None and not 0 <= (last - first).days < MAX_NIGHTS:
        r.errors["f_hasta"] = f"La última noche va desde la primera hasta {MAX_NIGHTS} noches."
    if r.errors or rate is None or first is None or last is None:
        return None, r.errors
    override = r.build(lambda: DateOverride(name, first, last, rate, min_nights), "f_nombre")
    return override, r.errors


def read_long_weekend(form: Form, currency: str) -> tuple[LongWeekendRule | None, dict[str, str]]:
    """None with no errors: the owner turned the rule off."""
    if not form.checked("l_activo"):
        return None, {}
    r = Reader(form, currency)
    rate, min_nights = r.rate("l"), r.nights("l_minimo")
    if r.errors or rate is None:
        return None, r.errors
    rule = r.build(lambda: LongWeekendRule(rate, min_nights, LONG_WEEKEND_NAME), "l_precio")
    return rule, r.errors


def read_fees(form: Form, currency: str) -> tuple[Fees | None, dict[str, str]]:
    r = Reader(form, currency)
    cleaning, extra = r.fee("c_limpieza"), r.fee("c_extra")
    pet = r.money("c_mascota", optional=True)
    included = None
    if form.text("c_incluidas", 10):
        included = form.integer("c_incluidas")
        if included is None or not 1 <= included <= 100:
            r.errors["c_incluidas"] = "Cuántas personas incluye el precio, de 1 a 100."
    elif extra.cents:
        r.errors["c_incluidas"] = "Para cobrar por persona extra, decí cuántas incluye el precio."
    if r.errors:
        return None, r.errors
    fees = r.build(lambda: Fees(cleaning, extra, included, pet), "c_limpieza")
    return fees, r.errors
