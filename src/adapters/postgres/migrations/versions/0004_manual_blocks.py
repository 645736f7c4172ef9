"""Manual date blocks share the reservations table, and so its exclusion constraint.

A block (the owner closes some nights: repairs, family, a booking taken by phone) is a row of
kind 'block' with no guest. Because it lives under the same EXCLUDE constraint as bookings, the
database itself keeps blocks and bookings from overlapping. Expand-only: old code inserting
without `kind` gets 'booking'.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE reservations ADD COLUMN kind varchar(10) NOT NULL DEFAULT 'booking'")
    op.execute("ALTER TABLE reservations ADD COLUMN block_reason text")
    op.execute(
        "ALTER TABLE reservations ADD CONSTRAINT reservations_kind_known "
        "CHECK (kind IN ('booking', 'block'))"
    )
    op.execute("ALTER TABLE reservations ALTER COLUMN guest_name DROP NOT NULL")
    op.execute("ALTER TABLE reservations ALTER COLUMN guest_phone DROP NOT NULL")
    op.execute(
        "ALTER TABLE reservations ADD CONSTRAINT reservations_booking_has_guest "
        "CHECK (kind = 'block' OR (guest_name IS NOT NULL AND guest_phone IS NOT NULL))"
    )


def downgrade() -> None:
    op.execute("DELETE FROM reservations WHERE kind = 'block'")
    op.execute("ALTER TABLE reservations DROP CONSTRAINT reservations_booking_has_guest")
    op.execute("ALTER TABLE reservations ALTER COLUMN guest_phone SET NOT NULL")
    op.execute("ALTER TABLE reservations ALTER COLUMN guest_name SET NOT NULL")
    op.execute("ALTER TABLE reservations DROP CONSTRAINT reservations_kind_known")
    op.execute("ALTER TABLE reservations DROP COLUMN block_reason")
    op.execute("ALTER TABLE reservations DROP COLUMN kind")
