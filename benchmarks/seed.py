"""Realistic bench data: by default 50 cabins and 50,000 past and future reservations.

Per cabin (the default's 1,000 rows): 300 confirmed past stays (dense, one every 4 days), 60
future stays (every 9 days, 2 nights; some are live holds), and 640 cancelled/expired rows
scattered over the whole period — the noise a real table accumulates and that the partial GiST
index must skip. Future nights at offsets 5 + 9k + 2 … 5 + 9k + 8 (days from today) start free;
the load scripts book those. Every cabin has two seasons (summer, wrapping the year, and July), so
prices come from the owner's rules.

Other sizes (``BENCH_SCALE``, e.g. ``10x50000,200x50000,50x500000``: cabins × reservations)
keep the shape per cabin: the same 60 future stays (so the free nights are where the load
scripts look), 30 % of the cabin's rows as dense confirmed history going back as far as it
takes, and the rest cancelled/expired noise over that history and the booking horizon.
"""

from __future__ import annotations

import re
from typing import NamedTuple

FUTURE_PER_CABIN = 60  # every 9 days from day 5: the last one starts on day 536
HORIZON_DAYS = 540  # the noise reaches this far ahead (the booking horizon is 548 days)
PAST_SHARE = 0.3


class Scale(NamedTuple):
    cabins: int
    reservations: int

    @property
    def label(self) -> str:
        return f"{self.cabins}x{self.reservations}"

    @property
    def per_cabin(self) -> int:
        return self.reservations // self.cabins

    @property
    def past_per_cabin(self) -> int:
        return round(self.per_cabin * PAST_SHARE)

    @property
    def history_days(self) -> int:
        """How far back the confirmed history reaches: one stay every 4 days."""
        return self.past_per_cabin * 4

    @property
    def noise_per_cabin(self) -> int:
        return self.per_cabin - self.past_per_cabin - FUTURE_PER_CABIN


DEFAULT = Scale(50, 50_000)
_SIZE = re.compile(r"\s*(\d+)\s*[x×]\s*(\d+)\s*")


def parse_scale(text: str) -> list[Scale]:
    """``"10x50000, 200x50000"`` → the sizes, in order. Refuses sizes the layout cannot hold:
    each cabin needs its 60 future stays plus history (at least 100 rows per cabin), and at
    least 2 cabins (the last one is the hot spot's)."""
    sizes = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _SIZE.fullmatch(part)
        if match is None:
            raise ValueError(f"not a size (cabins x reservations): {part.strip()!r}")
        size = Scale(int(match[1]), int(match[2]))
        if size.cabins < 2:
            raise ValueError(f"{size.label}: at least 2 cabins")
        if size.per_cabin < 100:
            raise ValueError(f"{size.label}: at least 100 reservations per cabin")
        sizes.append(size)
    if not sizes:
        raise ValueError("no sizes given")
    return sizes


def seed_sql(scale: Scale = DEFAULT) -> list[str]:
    cabins, past, noise = scale.cabins, scale.past_per_cabin, scale.noise_per_cabin
    history = scale.history_days
    return [
        f"""
    INSERT INTO accommodations (name, description, capacity, base_price_cents,
                                weekend_multiplier, min_nights, amenities)
    SELECT 'Cabaña ' || g, 'Cabaña de prueba número ' || g, 2 + g % 5, (50000 + g * 1000) * 100,
           1.2, 1, ARRAY['wifi', 'parrilla']
    FROM generate_series(1, {cabins}) g
    """,
        f"""
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('past:' || a || ':' || i), 1, 12)), a,
           current_date - {history} + i * 4, current_date - {history} + i * 4 + 2 + i % 2, 2,
           'Huésped ' || i, '+5491100' || lpad((a * 1000 + i)::text, 6, '0'),
           10000000, 3000000, 'api', 'confirmed', NULL,
           now() - interval '1 day' * ({history + 100} - i * 4), now()
    FROM generate_series(1, {cabins}) a, generate_series(0, {past - 1}) i
    """,
        f"""
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('future:' || a || ':' || i), 1, 12)), a,
           current_date + 5 + i * 9, current_date + 5 + i * 9 + 2, 2,
           'Huésped ' || i, '+5491100' || lpad((a * 1000 + i)::text, 6, '0'),
           10000000, 3000000, CASE WHEN i % 3 = 0 THEN 'whatsapp' ELSE 'api' END,
           CASE WHEN i % 5 = 0 THEN 'pre_reserved' ELSE 'confirmed' END,
           CASE WHEN i % 5 = 0 THEN now() + interval '1 day' END,
           now() - interval '1 day', now()
    FROM generate_series(1, {cabins}) a, generate_series(0, {FUTURE_PER_CABIN - 1}) i
    """,
        f"""
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('noise:' || a || ':' || i), 1, 12)), a, d, d + 1 + i % 4, 2,
           'Huésped ' || i, '+5491100' || lpad((a * 1000 + i)::text, 6, '0'),
           10000000, 3000000, 'api', CASE WHEN i % 2 = 0 THEN 'cancelled' ELSE 'expired' END,
           now() - interval '1 hour', now() - interval '2 days', now()
    FROM generate_series(1, {cabins}) a, generate_series(0, {noise - 1}) i,
         LATERAL (SELECT current_date - {history} + ((a * 7919 + i * 104729) % {history + HORIZON_DAYS}) AS d) AS pick
    """,
        # Every cabin priced as an Argentine cabin is: a summer high season that wraps the year
        # (15/12–28/02, +30 % over base, its own weekend price) and the July winter holidays
        # (+20 %), so availability quotes through the owner's rules, not the flat base price.
        f"""
    INSERT INTO price_seasons (accommodation_id, name, first_month, first_day, last_month,
                               last_day, percent_over_base, weekend_cents)
    SELECT g, 'Temporada alta', 12, 15, 2, 28, 30, (50000 + g * 1000) * 100 * 16 / 10
    FROM generate_series(1, {cabins}) g
    UNION ALL
    SELECT g, 'Vacaciones de invierno', 7, 1, 7, 31, 20, NULL
    FROM generate_series(1, {cabins}) g
    """,
        "ANALYZE",
    ]


def live_holds_sql(count: int, cabins: int = DEFAULT.cabins) -> str:
    """``count`` one-night holds lapsing in 30 minutes, as the booking scenarios of a full
    ``make bench`` leave them (15,000–25,000), on the free nights those scenarios book: offsets
    5 + 9k + 2 … 5 + 9k + 8, cabin by cabin. At most 50 × 60 × 7 = 21,000 on the default data."""
    return f"""
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('hold:' || a || ':' || i || ':' || n), 1, 12)), a,
           current_date + 7 + i * 9 + n, current_date + 8 + i * 9 + n, 2,
           'Huésped ' || i, '+5491199' || lpad((a * 1000 + i)::text, 6, '0'),
           5000000, 1500000, 'api', 'pre_reserved', now() + interval '30 minutes', now(), now()
    FROM generate_series(0, 6) n, generate_series(0, {FUTURE_PER_CABIN - 1}) i,
         generate_series(1, {cabins}) a
    LIMIT {count}
    """


SEED_SQL = seed_sql(DEFAULT)
CABINS = DEFAULT.cabins
