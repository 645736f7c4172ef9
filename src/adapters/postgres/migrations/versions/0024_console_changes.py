"""What the console's calendar shows changes: a count that grows with every committed statement
that changed rows of the tables it is drawn from (reservations and blocks, cabins, imported
feeds and their collisions), so a process can keep a drawn calendar and know, in one cheap
read, whether it is still current. A statement that changed no row does not count.

Each server process (PostgreSQL backend) adds to a row of its own, so concurrent writers never
wait on one another for it; a reader sums the rows. The sum only grows, and it is read in the
reader's snapshot: equal sums mean the same writes are visible.

Expand-only: a new table and triggers; the previous release's writes bump the count too.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-09
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True

TABLES = ("reservations", "accommodations", "ical_feeds", "ical_conflicts")


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE console_changes (
            backend integer PRIMARY KEY,
            n bigint NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE FUNCTION console_count_change() RETURNS void LANGUAGE sql AS $$
            INSERT INTO console_changes (backend, n) VALUES (pg_backend_pid(), 1)
            ON CONFLICT (backend) DO UPDATE SET n = console_changes.n + 1
        $$
        """
    )
    # A statement that changed no row (a sweep that found nothing lapsed) does not count.
    op.execute(
        """
        CREATE FUNCTION console_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM console_count_change();
            ELSIF EXISTS (SELECT FROM changed_rows) THEN
                PERFORM console_count_change();
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER {table}_console_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION console_changed()"
            )
        op.execute(
            f"CREATE TRIGGER {table}_console_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION console_changed()"
        )


def downgrade() -> None:
    for table in TABLES:
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_console_{event} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS console_changed()")
    op.execute("DROP FUNCTION IF EXISTS console_count_change()")
    op.execute("DROP TABLE IF EXISTS console_changes")
