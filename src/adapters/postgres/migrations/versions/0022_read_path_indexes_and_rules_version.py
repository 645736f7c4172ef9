"""Read paths that grew with history, and a version number for the price rules.

- ``reservations_accommodation_updated_idx`` (accommodation_id, updated_at): an iCal export's
  last change is read from the end of the index, not from every row the cabin ever had.
- ``reservations_live_retry_key_idx``: the 409 path's own-hold check (and the retried-hold
  lookup) is one probe of the live holds carrying a retry key, whatever the planner's
  statistics say about how many holds are live.
- ``price_rules_version``: one row whose number goes up, in the writing transaction, with every
  change to ``price_seasons``, ``price_overrides`` or ``price_terms`` (statement triggers), so a
  process caching the rules can tell in the same round trip as its other reads that they
  changed, however the change was written.

Expand-only: two indexes (built CONCURRENTLY), a new table and triggers that only bump it; the
previous release neither reads the table nor is slowed by the triggers (rules change a few
times a season).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True

_RULE_TABLES = ("price_seasons", "price_overrides", "price_terms")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE price_rules_version (
            id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
            version bigint NOT NULL
        )
        """
    )
    op.execute("INSERT INTO price_rules_version (id, version) VALUES (1, 1)")
    op.execute(
        """
        CREATE FUNCTION bump_price_rules_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE price_rules_version SET version = version + 1 WHERE id = 1;
            RETURN NULL;
        END
        $$
        """
    )
    for table in _RULE_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_bump_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION bump_price_rules_version()"
        )
    with op.get_context().autocommit_block():
        op.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS reservations_accommodation_updated_idx "
            "ON reservations (accommodation_id, updated_at)"
        )
        op.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS reservations_live_retry_key_idx "
            "ON reservations (retry_key) "
            "WHERE status = 'pre_reserved' AND retry_key IS NOT NULL"
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS reservations_live_retry_key_idx")
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS reservations_accommodation_updated_idx")
    for table in _RULE_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS bump_price_rules_version()")
    op.execute("DROP TABLE IF EXISTS price_rules_version")
