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
    CheckConstraint("kind IN ('booking', 'block')", name="reservations_kind_known"),
    CheckConstraint(
        "kind = 'block' OR (guest_name IS NOT NULL AND guest_phone IS NOT NULL)",
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
        "reservations_hold_expiry_idx",
        "expires_at",
        postgresql_where=text("status = 'pre_reserved'"),
    ),
)
