"""Table definitions (SQLAlchemy Core). The Alembic migrations are the source of truth for DDL;
these mirror them for queries, and a test compares the two."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import DATERANGE, JSONB, ExcludeConstraint

NO_OVERLAP_CONSTRAINT = "reservations_no_overlap"
CODE_UNIQUE_CONSTRAINT = "reservations_code_key"
ACTIVE_STATUS_SQL = "status IN ('pre_reserved', 'confirmed')"

metadata = MetaData()

accommodations = Table(
    "accommodations",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("capacity", Integer, nullable=False),
    Column("base_price_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False, server_default="ARS"),
    Column("weekend_multiplier", Numeric(6, 3), nullable=False, server_default="1"),
    Column("min_nights", Integer, nullable=False, server_default="1"),
    Column("amenities", ARRAY(Text), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("capacity > 0", name="accommodations_capacity_positive"),
    CheckConstraint("base_price_cents >= 0", name="accommodations_price_not_negative"),
    CheckConstraint("weekend_multiplier > 0", name="accommodations_multiplier_positive"),
    CheckConstraint("min_nights >= 1", name="accommodations_min_nights_positive"),
)

admin_audit_log = Table(
    "admin_audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("actor", String(320), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(64), nullable=False),
    Column("before", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("after", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("admin_audit_log_target_idx", "target"),
    Index("admin_audit_log_at_idx", "at"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("code", String(16), nullable=False),
    Column(
        "accommodation_id",
        BigInteger,
        ForeignKey("accommodations.id", ondelete="RESTRICT"),
        nullable=False,
    ),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column(
        "stay",
        DATERANGE,
        Computed("daterange(check_in, check_out, '[)')", persisted=True),
        nullable=False,
    ),
    Column("guests", Integer, nullable=False),
    Column("guest_name", String(200)),  # NULL only for blocks
    Column("guest_phone", String(20)),
    Column("guest_email", String(320)),
    Column("notes", Text),
    Column("total_cents", BigInteger, nullable=False),
    Column("deposit_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False, server_default="ARS"),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(10), nullable=False, server_default="booking"),
    Column("block_reason", Text),
    Column("payment_url", Text),
    Column("payment_preference_id", String(64)),
    Column("paid_by_payment_id", String(64)),
    Column("anonymized_at", DateTime(timezone=True)),
    # A hash of the client and body of the request that placed a hold: the same request retried
    # gets that hold back (PlaceHold). Never shown, never an identifier of its own.
    Column("retry_key", String(64)),
    CheckConstraint("kind IN ('booking', 'block', 'external')", name="reservations_kind_known"),
    CheckConstraint(
        "kind <> 'booking' OR (guest_name IS NOT NULL AND guest_phone IS NOT NULL)",
        name="reservations_booking_has_guest",
    ),
    CheckConstraint("check_out > check_in", name="reservations_check_out_after_check_in"),
    CheckConstraint("guests > 0", name="reservations_guests_positive"),
    CheckConstraint(
        "total_cents >= 0 AND deposit_cents >= 0 AND deposit_cents <= total_cents",
        name="reservations_amounts_valid",
    ),
    CheckConstraint(
        "status IN ('pre_reserved', 'confirmed', 'expired', 'cancelled')",
        name="reservations_status_known",
    ),
    CheckConstraint(
        "status <> 'pre_reserved' OR expires_at IS NOT NULL",
        name="reservations_hold_has_expiry",
    ),
    ExcludeConstraint(
        ("accommodation_id", "="),
        ("stay", "&&"),
        name=NO_OVERLAP_CONSTRAINT,
        using="gist",
        where=text(ACTIVE_STATUS_SQL),
    ),
    Index(CODE_UNIQUE_CONSTRAINT, "code", unique=True),
    Index("reservations_accommodation_id_idx", "accommodation_id"),
    Index("reservations_created_at_idx", "created_at"),
    Index(
        "reservations_active_stay_idx",
        "stay",
        postgresql_using="gist",
        postgresql_where=text(ACTIVE_STATUS_SQL),
    ),
    Index(
        "reservations_pii_pending_idx",
        "check_out",
        postgresql_where=text("kind = 'booking' AND anonymized_at IS NULL"),
    ),
    Index(
        "reservations_hold_expiry_idx",
        "expires_at",
        postgresql_where=text("status = 'pre_reserved'"),
    ),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("provider", String(20), nullable=False, server_default="mercadopago"),
    Column("reservation_code", String(64)),
    Column("status", String(20), nullable=False),
    Column("status_detail", String(100)),
    Column("amount_cents", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False, server_default="0"),
    Column("currency", String(3), nullable=False),
    Column("provider_created_at", DateTime(timezone=True)),
    Column("approved_at", DateTime(timezone=True)),
    Column("provider_updated_at", DateTime(timezone=True)),
    Column("attention", String(30)),
    Column("attention_reason", Text),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("payments_reservation_code_idx", "reservation_code"),
    Index("payments_attention_idx", "updated_at", postgresql_where=text("attention IS NOT NULL")),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("dedupe_key", String(200), unique=True),
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("provider_message_id", String(200)),
    Column("delivery_status", String(20)),
    Column("trace_id", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="outbox_status_known"),
    Index("outbox_due_idx", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("outbox_provider_message_id_idx", "provider_message_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(20), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("fingerprint", String(64)),
    # SQL NULL, not JSON ``null``, when there is no payload (a booking's Idempotency-Key): the
    # delivery worker takes up only rows with a payload, so a JSON null looked like a delivery.
    Column("payload", JSONB(none_as_null=True)),
    Column("reservation_code", String(16)),
    Column("response_status", Integer),
    Column("response_body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True)),
    Index("idempotency_keys_created_at_idx", "created_at"),
    Index(
        "idempotency_keys_unprocessed_idx",
        "created_at",
        postgresql_where=text("processed_at IS NULL"),
    ),
)

ical_feeds = Table(
    "ical_feeds",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column(
        "accommodation_id",
        BigInteger,
        ForeignKey("accommodations.id", ondelete="RESTRICT"),
        nullable=False,
    ),
    Column("source", String(20), nullable=False),
    Column("url", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_synced_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("events_count", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # A release held by the guard (all NULL: none): nights it would free, the answer's
    # fingerprint, how many times in a row it was seen, since when.
    Column("held_release_nights", Integer),
    Column("held_release_answer", String(64)),
    Column("held_release_seen", Integer),
    Column("held_release_since", DateTime(timezone=True)),
    CheckConstraint(
        "source IN ('airbnb', 'booking', 'google', 'other')", name="ical_feeds_source_known"
    ),
    UniqueConstraint("accommodation_id", "url", name="ical_feeds_accommodation_url_key"),
)

ical_events = Table(
    "ical_events",
    metadata,
    Column(
        "feed_id", BigInteger, ForeignKey("ical_feeds.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("uid", String(255), primary_key=True),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("reservation_id", BigInteger, ForeignKey("reservations.id", ondelete="SET NULL")),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

ical_conflicts = Table(
    "ical_conflicts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("feed_id", BigInteger, ForeignKey("ical_feeds.id", ondelete="CASCADE"), nullable=False),
    Column("accommodation_id", BigInteger, nullable=False),
    Column("uid", String(255), nullable=False),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column("other_code", String(16), nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "feed_id", "uid", "other_code", "check_in", "check_out", name="ical_conflicts_once"
    ),
    Index("ical_conflicts_detected_at_idx", "detected_at"),
)

# Written by the migrations' env.py as each revision is applied (docs/adr/0001-…).
schema_revisions = Table(
    "schema_revisions",
    metadata,
    Column("revision", String(32), primary_key=True),
    Column("down_revision", String(32)),
    Column("expand_only", Boolean, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row per backup taken (entrypoints/backup.py), its time is the stamp in its file name.
backup_runs = Table(
    "backup_runs",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("file", String(200), nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Index("backup_runs_taken_at_idx", "taken_at"),
)

# The console's people (migration 0015). Tokens only as SHA-256 digests.
users = Table(
    "users",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("role", String(10), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("email", name="users_email_key"),
    CheckConstraint("role IN ('owner', 'staff')", name="users_role_known"),
)

user_invitations = Table(
    "user_invitations",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("role", String(10), nullable=False),
    Column("invited_by", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    CheckConstraint("role IN ('owner', 'staff')", name="user_invitations_role_known"),
    Index("user_invitations_email_idx", "email"),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Index("console_sessions_user_id_idx", "user_id"),
)
