"""An imported event whose nights are partly taken still takes its free ones: each free
stretch is a row of kind 'external' in ``reservations``, listed in ``ical_event_parts`` under
its event (feed and UID). Before, such an event waited whole and its free nights could be sold
again here.

Expand-only: a new table the previous release neither reads nor writes (its rows hold nights
under the exclusion constraint, on the side that never sells a night twice).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        "CREATE TABLE ical_event_parts ("
        "reservation_id bigint PRIMARY KEY REFERENCES reservations (id) ON DELETE CASCADE, "
        "feed_id bigint NOT NULL REFERENCES ical_feeds (id) ON DELETE CASCADE, "
        "uid varchar(255) NOT NULL, "
        "check_in date NOT NULL, "
        "check_out date NOT NULL)"
    )
    op.execute("CREATE INDEX ical_event_parts_event_idx ON ical_event_parts (feed_id, uid)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS ical_event_parts")
