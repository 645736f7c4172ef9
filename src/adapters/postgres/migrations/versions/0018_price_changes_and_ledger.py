"""Dated price changes per cabin (``price_terms.price_changes``); the ledger of each booking
(``booking_money``: every payment, refund and credit, with method, amount, date and who recorded
it); how the guest pays the deposit (``reservations.payment_method``).

Expand-only: a new table and columns (nullable, or with defaults) the previous release never
reads.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        "ALTER TABLE price_terms ADD COLUMN price_changes jsonb NOT NULL DEFAULT '[]'::jsonb"
    )
    op.execute("ALTER TABLE reservations ADD COLUMN payment_method varchar(20)")
    # A movement's reference (the provider's payment id, the owner's request key) is unique per
    # booking and direction: recording it twice is a no-op, enforced here as a last word.
    op.execute(
        """
        CREATE TABLE booking_money (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            reservation_id bigint NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
            direction varchar(10) NOT NULL,
            reference varchar(100) NOT NULL,
            method varchar(20),
            amount_cents bigint NOT NULL,
            currency varchar(3) NOT NULL,
            on_date date NOT NULL,
            recorded_by varchar(320) NOT NULL,
            recorded_at timestamptz NOT NULL,
            covers varchar(10),
            flag varchar(20),
            note text,
            CONSTRAINT booking_money_reference_key UNIQUE (reservation_id, direction, reference),
            CONSTRAINT booking_money_direction_known
                CHECK (direction IN ('payment', 'refund', 'credit')),
            CONSTRAINT booking_money_amount_positive CHECK (amount_cents > 0)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS booking_money")
    op.execute("ALTER TABLE reservations DROP COLUMN IF EXISTS payment_method")
    op.execute("ALTER TABLE price_terms DROP COLUMN IF EXISTS price_changes")
