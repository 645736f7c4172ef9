"""Realistic bench data: 50 cabins and 50,000 past and future reservations.

Per cabin: 300 confirmed past stays (dense), 60 future stays (every 9 days, 2 nights; some are
live holds), and 640 cancelled/expired rows scattered over the whole period — the noise a real
table accumulates and that the partial GiST index must skip. Future nights at offsets
5 + 9k + 2 … 5 + 9k + 8 (days from today) start free; the load scripts book those.
"""

from __future__ import annotations

CABINS = 50
SEED_SQL = [
    f"""
    INSERT INTO accommodations (name, description, capacity, base_price_cents,
                                weekend_multiplier, min_nights, amenities)
    SELECT 'Cabaña ' || g, 'Cabaña de prueba número ' || g, 2 + g % 5, (50000 + g * 1000) * 100,
           1.2, 1, ARRAY['wifi', 'parrilla']
    FROM generate_series(1, {CABINS}) g
    """,
    """
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('past:' || a || ':' || i), 1, 12)), a,
           current_date - 1200 + i * 4, current_date - 1200 + i * 4 + 2 + i % 2, 2,
           'Huésped ' || i, '+5491100' || lpad((a * 1000 + i)::text, 6, '0'),
           10000000, 3000000, 'api', 'confirmed', NULL,
           now() - interval '1 day' * (1300 - i * 4), now()
    FROM generate_series(1, 50) a, generate_series(0, 299) i
    """,
    """
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('future:' || a || ':' || i), 1, 12)), a,
           current_date + 5 + i * 9, current_date + 5 + i * 9 + 2, 2,
           'Huésped ' || i, '+5491100' || lpad((a * 1000 + i)::text, 6, '0'),
           10000000, 3000000, CASE WHEN i % 3 = 0 THEN 'whatsapp' ELSE 'api' END,
           CASE WHEN i % 5 = 0 THEN 'pre_reserved' ELSE 'confirmed' END,
           CASE WHEN i % 5 = 0 THEN now() + interval '1 day' END,
           now() - interval '1 day', now()
    FROM generate_series(1, 50) a, generate_series(0, 59) i
    """,
    """
    INSERT INTO reservations (code, accommodation_id, check_in, check_out, guests, guest_name,
        guest_phone, total_cents, deposit_cents, channel, status, expires_at, created_at, updated_at)
    SELECT upper(substr(md5('noise:' || a || ':' || i), 1, 12)), a, d, d + 1 + i % 4, 2,
           'Huésped ' || i, '+5491100' || lpad((a * 1000 + i)::text, 6, '0'),
           10000000, 3000000, 'api', CASE WHEN i % 2 = 0 THEN 'cancelled' ELSE 'expired' END,
           now() - interval '1 hour', now() - interval '2 days', now()
    FROM generate_series(1, 50) a, generate_series(0, 639) i,
         LATERAL (SELECT current_date - 1200 + ((a * 7919 + i * 104729) % 1740) AS d) AS pick
    """,
    "ANALYZE",
]
