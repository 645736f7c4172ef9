"""Scheduled messages: each cabin's texts for them (the owner's words for the pre-arrival
message, the check-out reminder and the thank-you), and the record of each one queued (a
reservation's message of a kind, the owner's summary of a day), so it goes once; the WhatsApp
numbers that replied BAJA (opted out of the messages that are not transactional).

Expand-only: new tables no running code of the previous release reads.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE cabin_message_texts (
            accommodation_id bigint PRIMARY KEY
                REFERENCES accommodations (id) ON DELETE CASCADE,
            address varchar(300) NOT NULL DEFAULT '',
            map_url varchar(500) NOT NULL DEFAULT '',
            check_in_time time NOT NULL,
            check_out_time time NOT NULL,
            keys_info varchar(500) NOT NULL,
            check_out_note varchar(500) NOT NULL,
            thank_you_note varchar(500) NOT NULL,
            review_url varchar(500) NOT NULL DEFAULT '',
            updated_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE scheduled_messages (
            key varchar(120) PRIMARY KEY,
            kind varchar(40) NOT NULL,
            reservation_code varchar(16),
            queued_at timestamptz NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX scheduled_messages_queued_at_idx ON scheduled_messages (queued_at)")
    op.execute(
        """
        CREATE TABLE message_opt_outs (
            whatsapp_id varchar(20) PRIMARY KEY,
            opted_out_at timestamptz NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS message_opt_outs")
    op.execute("DROP TABLE IF EXISTS scheduled_messages")
    op.execute("DROP TABLE IF EXISTS cabin_message_texts")
