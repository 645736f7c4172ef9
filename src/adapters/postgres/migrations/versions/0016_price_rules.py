"""Each cabin's price rules (recurring seasons, dated overrides, fees, the long-weekend rule,
length-of-stay discounts, the cancellation policy) and, on each booking, the breakdown it was
sold with (``domain.pricing``; later price changes never reprice a booking).

Expand-only: new tables and a nullable column no running code reads.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    # A rate is a nightly price or a percentage over base; neither may make a night free
    # (the domain refuses the same, with its message; these are the last word).
    op.execute(
        """
        CREATE TABLE price_seasons (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            accommodation_id bigint NOT NULL REFERENCES accommodations (id) ON DELETE CASCADE,
            name varchar(80) NOT NULL,
            first_month smallint NOT NULL,
            first_day smallint NOT NULL,
            last_month smallint NOT NULL,
            last_day smallint NOT NULL,
            nightly_cents bigint,
            percent_over_base numeric(7, 2),
            weekend_cents bigint,
            min_nights integer,
            arrival_weekdays smallint[],
            CONSTRAINT price_seasons_name_key UNIQUE (accommodation_id, name),
            CONSTRAINT price_seasons_one_rate
                CHECK ((nightly_cents IS NULL) <> (percent_over_base IS NULL)),
            CONSTRAINT price_seasons_night_not_free
                CHECK (nightly_cents > 0 AND weekend_cents > 0 AND percent_over_base > -100)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE price_overrides (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            accommodation_id bigint NOT NULL REFERENCES accommodations (id) ON DELETE CASCADE,
            name varchar(80) NOT NULL,
            first_night date NOT NULL,
            last_night date NOT NULL,
            nightly_cents bigint,
            percent_over_base numeric(7, 2),
            min_nights integer,
            CONSTRAINT price_overrides_one_rate
                CHECK ((nightly_cents IS NULL) <> (percent_over_base IS NULL)),
            CONSTRAINT price_overrides_night_not_free
                CHECK (nightly_cents > 0 AND percent_over_base > -100),
            CONSTRAINT price_overrides_nights_ordered CHECK (last_night >= first_night),
            CONSTRAINT price_overrides_no_overlap EXCLUDE USING gist (
                accommodation_id WITH =, daterange(first_night, last_night, '[]') WITH &&
            )
        )
        """
    )
    op.execute(
        """
        CREATE TABLE price_terms (
            accommodation_id bigint PRIMARY KEY
                REFERENCES accommodations (id) ON DELETE CASCADE,
            cleaning_cents bigint NOT NULL DEFAULT 0,
            extra_guest_cents bigint NOT NULL DEFAULT 0,
            guests_included integer,
            pet_cents bigint,
            long_weekend_name varchar(80),
            long_weekend_nightly_cents bigint,
            long_weekend_percent numeric(7, 2),
            long_weekend_min_nights integer,
            stay_discounts jsonb NOT NULL DEFAULT '[]'::jsonb,
            cancellation_tiers jsonb NOT NULL DEFAULT '[]'::jsonb,
            CONSTRAINT price_terms_fees_valid
                CHECK (cleaning_cents >= 0 AND extra_guest_cents >= 0 AND pet_cents >= 0),
            CONSTRAINT price_terms_long_weekend_not_free
                CHECK (long_weekend_nightly_cents > 0 AND long_weekend_percent > -100)
        )
        """
    )
    op.execute("ALTER TABLE reservations ADD COLUMN price_breakdown jsonb")


def downgrade() -> None:
    op.execute("ALTER TABLE reservations DROP COLUMN IF EXISTS price_breakdown")
    op.execute("DROP TABLE IF EXISTS price_terms")
    op.execute("DROP TABLE IF EXISTS price_overrides")
    op.execute("DROP TABLE IF EXISTS price_seasons")
