"""Hold limits: a hold remembers whom it counts against (its phone number's key and its client's
key), and ``hold_quota_refusal`` counts a key's live holds under a per-key advisory lock, inside
the hold's own INSERT, so two concurrent requests cannot both take the last place.

The function is VOLATILE on purpose: in READ COMMITTED each of its statements takes a fresh
snapshot, so the count after the lock sees every hold committed by whoever held the lock before.

Expand-only: two nullable columns, two partial indexes, one function; code that does not know
them keeps working (its holds are simply not counted).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True

FUNCTION = """
CREATE OR REPLACE FUNCTION hold_quota_refusal(
    p_phone text, p_client text, p_now timestamptz, p_per_phone integer, p_per_client integer,
    OUT refused text, OUT retry_at timestamptz
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    live integer;
BEGIN
    -- Phone first, then client: every caller locks in this order, so no two wait on each other.
    IF p_phone IS NOT NULL AND p_per_phone > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('cabanas:holds:phone:' || p_phone, 0));
        SELECT count(*), min(expires_at) INTO live, retry_at FROM (
            SELECT expires_at FROM reservations
            WHERE phone_key = p_phone AND status = 'pre_reserved' AND expires_at > p_now
            ORDER BY expires_at LIMIT p_per_phone
        ) AS held;
        IF live >= p_per_phone THEN
            refused := 'phone';
            RETURN;
        END IF;
    END IF;
    IF p_client IS NOT NULL AND p_per_client > 0 THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('cabanas:holds:client:' || p_client, 0));
        SELECT count(*), min(expires_at) INTO live, retry_at FROM (
            SELECT expires_at FROM reservations
            WHERE client_key = p_client AND status = 'pre_reserved' AND expires_at > p_now
            ORDER BY expires_at LIMIT p_per_client
        ) AS held;
        IF live >= p_per_client THEN
            refused := 'client';
            RETURN;
        END IF;
    END IF;
    retry_at := NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column("reservations", sa.Column("phone_key", sa.String(32), nullable=True))
    op.add_column("reservations", sa.Column("client_key", sa.String(64), nullable=True))
    op.create_index(
        "ix_reservations_live_phone_key",
        "reservations",
        ["phone_key", "expires_at"],
        postgresql_where=sa.text("status = 'pre_reserved' AND phone_key IS NOT NULL"),
    )
    op.create_index(
        "ix_reservations_live_client_key",
        "reservations",
        ["client_key", "expires_at"],
        postgresql_where=sa.text("status = 'pre_reserved' AND client_key IS NOT NULL"),
    )
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS hold_quota_refusal(text, text, timestamptz, integer, integer)"
    )
    op.drop_index("ix_reservations_live_client_key", table_name="reservations")
    op.drop_index("ix_reservations_live_phone_key", table_name="reservations")
    op.drop_column("reservations", "client_key")
    op.drop_column("reservations", "phone_key")
