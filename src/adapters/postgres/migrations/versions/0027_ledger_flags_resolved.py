"""A payment the owner records by hand whose amount matches nothing owed (flagged
``unmatched`` or ``overpaid`` in ``booking_money``) waits in the owner's queue (Pagos, Hoy, the
daily summary) until the owner settles it: its row keeps when and how it was settled, as a
Mercado Pago payment's flag does (0023). The rows flagged before this revision are open.

Expand-only: nullable columns and an index that the previous release neither reads nor writes.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE booking_money ADD COLUMN attention_resolved_at timestamptz")
    op.execute("ALTER TABLE booking_money ADD COLUMN attention_resolution varchar(20)")
    op.execute(
        "CREATE INDEX booking_money_open_flags_idx ON booking_money (recorded_at) "
        "WHERE direction = 'payment' AND flag IN ('overpaid', 'unmatched') "
        "AND attention_resolved_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS booking_money_open_flags_idx")
    op.execute("ALTER TABLE booking_money DROP COLUMN IF EXISTS attention_resolution")
    op.execute("ALTER TABLE booking_money DROP COLUMN IF EXISTS attention_resolved_at")
