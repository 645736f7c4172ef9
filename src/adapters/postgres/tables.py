"""Table definitions (SQLAlchemy Core). The Alembic migrations are the source of truth for DDL;
these mirror them for queries, and a test compares the two."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Constraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
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
    # Whom a guest's hold counts against (domain.booking.hold_limits): the phone number's digits
    # and a key of the client address. NULL on the owner's bookings, on blocks and imported nights.
    Column("phone_key", String(32)),
    Column("client_key", String(64)),
    # The quote the booking was sold with (domain.pricing.PriceBreakdown; migration 0016).
    Column("price_breakdown", JSONB),
    Column("payment_method", String(20)),  # 0018: how the guest pays the deposit
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
    # An iCal export's last change, from the end of the index (migration 0022).
    Index("reservations_accommodation_updated_idx", "accommodation_id", "updated_at"),
    # The 409 path's own-hold check, one probe of the live holds with a retry key (0022).
    Index(
        "reservations_live_retry_key_idx",
        "retry_key",
        postgresql_where=text("status = 'pre_reserved' AND retry_key IS NOT NULL"),
    ),
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
    Index(
        "ix_reservations_live_phone_key",
        "phone_key",
        "expires_at",
        postgresql_where=text("status = 'pre_reserved' AND phone_key IS NOT NULL"),
    ),
    Index(
        "ix_reservations_live_client_key",
        "client_key",
        "expires_at",
        postgresql_where=text("status = 'pre_reserved' AND client_key IS NOT NULL"),
    ),
)

payments = Table(
    "payments",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("provider", String(20), nullable=False, server_default="mercadopago"),
    # The booking the payment was matched to (by its checkout's reference, whatever the
    # purpose); its money-to-return item's booking for ``ledger``.
    Column("reservation_code", String(64)),
    # As Mercado Pago reports it: ``CODE`` (the deposit) or ``CODE:balance``; null for ``ledger``.
    Column("external_reference", String(64)),
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
    # How the flag was settled: payment_recorded | refunded | dismissed | credited |
    # money_to_return (its booking's own item took it) — who: the audit log.
    Column("attention_resolved_at", DateTime(timezone=True)),
    Column("attention_resolution", String(20)),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("payments_reservation_code_idx", "reservation_code"),
    Index("payments_attention_idx", "updated_at", postgresql_where=text("attention IS NOT NULL")),
    Index(
        "payments_open_attention_idx",
        "updated_at",
        postgresql_where=text("attention IS NOT NULL AND attention_resolved_at IS NULL"),
    ),
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
    # The rows of one notification sent over several channels (WhatsApp, e-mail).
    Column("group_key", String(200)),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="outbox_status_known"),
    Index("outbox_due_idx", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("outbox_provider_message_id_idx", "provider_message_id"),
    Index("outbox_group_key_idx", "group_key"),
)

whatsapp_contacts = Table(
    "whatsapp_contacts",
    metadata,
    Column("whatsapp_id", String(20), primary_key=True),
    Column("last_inbound_at", DateTime(timezone=True), nullable=False),
)

undeliverable_messages = Table(
    "undeliverable_messages",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("group_key", String(200), nullable=False, unique=True),
    Column("topic", String(40), nullable=False),
    Column("recipient", String(10), nullable=False),
    Column("reservation_code", String(16)),
    Column("errors", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", String(20)),  # retried | dismissed
    CheckConstraint("recipient IN ('guest', 'owner')", name="undeliverable_recipient_known"),
    Index("undeliverable_open_idx", "failed_at", postgresql_where=text("resolved_at IS NULL")),
)

# Each cabin's texts for its scheduled messages (migration 0019; adapters/postgres/cabin_texts.py).
cabin_message_texts = Table(
    "cabin_message_texts",
    metadata,
    Column(
        "accommodation_id",
        BigInteger,
        ForeignKey("accommodations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("address", String(300), nullable=False, server_default=""),
    Column("map_url", String(500), nullable=False, server_default=""),
    Column("check_in_time", Time, nullable=False),
    Column("check_out_time", Time, nullable=False),
    Column("keys_info", String(500), nullable=False),
    Column("check_out_note", String(500), nullable=False),
    Column("thank_you_note", String(500), nullable=False),
    Column("review_url", String(500), nullable=False, server_default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Each scheduled message queued, once (migration 0019; adapters/postgres/schedule.py): a
# reservation's pre-arrival, reminders and thank-you, the owner's summary of a day.
scheduled_messages = Table(
    "scheduled_messages",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("reservation_code", String(16)),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Index("scheduled_messages_queued_at_idx", "queued_at"),
)

# Numbers that replied BAJA (migration 0019; adapters/postgres/opt_outs.py, docs/privacy.md).
message_opt_outs = Table(
    "message_opt_outs",
    metadata,
    Column("whatsapp_id", String(20), primary_key=True),
    Column("opted_out_at", DateTime(timezone=True), nullable=False),
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

# An imported event whose nights are partly taken (by a booking of ours, a hold, a block, or
# another event) still takes the rest: each free stretch is a row of kind 'external' of its
# own, listed here under the event (which itself waits: ``ical_events.reservation_id`` NULL).
ical_event_parts = Table(
    "ical_event_parts",
    metadata,
    Column(
        "reservation_id",
        BigInteger,
        ForeignKey("reservations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("feed_id", BigInteger, ForeignKey("ical_feeds.id", ondelete="CASCADE"), nullable=False),
    Column("uid", String(255), nullable=False),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Index("ical_event_parts_event_idx", "feed_id", "uid"),
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
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", String(20)),  # cleared (by itself) | dismissed (by the owner)
    UniqueConstraint(
        "feed_id", "uid", "other_code", "check_in", "check_out", name="ical_conflicts_once"
    ),
    Index("ical_conflicts_detected_at_idx", "detected_at"),
    Index(
        "ical_conflicts_open_idx",
        "accommodation_id",
        "check_in",
        postgresql_where=text("resolved_at IS NULL"),
    ),
)

# What the console's calendar shows changed: one row per PostgreSQL backend that wrote to
# reservations, accommodations, ical_feeds or ical_conflicts (statement triggers, migration
# 0020); the sum of ``n`` grows with every committed write (adapters/postgres/back_office.py).
console_changes = Table(
    "console_changes",
    metadata,
    Column("backend", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
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
    # Went off-site with BACKUP_UPLOAD_COMMAND (migration 0025): false for a local dump.
    Column("uploaded", Boolean, nullable=False, server_default=text("false")),
    Index("backup_runs_taken_at_idx", "taken_at"),
)

# Each cabin's price rules (migration 0016; mapped in adapters/postgres/price_rules.py).
OVERRIDE_OVERLAP_CONSTRAINT = "price_overrides_no_overlap"
SEASON_NAME_CONSTRAINT = "price_seasons_name_key"


def _cabin_rule(
    name: str,
    dates: tuple[Column[Any], ...],
    after_rate: tuple[Column[Any], ...],
    *constraints: Constraint,
    night_not_free: str,
) -> Table:
    """A table of one kind of dated price rule: each row a named rule of one cabin, priced by
    exactly one of a nightly amount or a percentage over the cabin's base, never free."""
    return Table(
        name,
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        _cabin_id(),
        Column("name", String(80), nullable=False),
        *dates,
        Column("nightly_cents", BigInteger),
        Column("percent_over_base", Numeric(7, 2)),
        *after_rate,
        CheckConstraint(
            "(nightly_cents IS NULL) <> (percent_over_base IS NULL)", name=f"{name}_one_rate"
        ),
        CheckConstraint(night_not_free, name=f"{name}_night_not_free"),
        *constraints,
    )


def _cabin_id(*, primary_key: bool = False) -> Column[int]:
    """The cabin a price row belongs to: its rules go with it."""
    return Column(
        "accommodation_id",
        BigInteger,
        ForeignKey("accommodations.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


price_seasons = _cabin_rule(
    "price_seasons",
    (
        Column("first_month", SmallInteger, nullable=False),
        Column("first_day", SmallInteger, nullable=False),
        Column("last_month", SmallInteger, nullable=False),
        Column("last_day", SmallInteger, nullable=False),
    ),
    (
        Column("weekend_cents", BigInteger),
        Column("min_nights", Integer),
        Column("arrival_weekdays", ARRAY(SmallInteger)),
    ),
    UniqueConstraint("accommodation_id", "name", name=SEASON_NAME_CONSTRAINT),
    night_not_free="nightly_cents > 0 AND weekend_cents > 0 AND percent_over_base > -100",
)

price_overrides = _cabin_rule(
    "price_overrides",
    (Column("first_night", Date, nullable=False), Column("last_night", Date, nullable=False)),
    (Column("min_nights", Integer),),
    CheckConstraint("last_night >= first_night", name="price_overrides_nights_ordered"),
    ExcludeConstraint(
        ("accommodation_id", "="),
        (text("daterange(first_night, last_night, '[]')"), "&&"),
        name=OVERRIDE_OVERLAP_CONSTRAINT,
        using="gist",
    ),
    night_not_free="nightly_cents > 0 AND percent_over_base > -100",
)

# One row; its number goes up with every write to the price-rule tables (triggers of migration
# 0022), so a cache of the rules can tell they changed in the same round trip as other reads.
price_rules_version = Table(
    "price_rules_version",
    metadata,
    Column("id", SmallInteger, primary_key=True, server_default=text("1")),
    Column("version", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="price_rules_version_id_check"),
)

price_terms = Table(
    "price_terms",
    metadata,
    _cabin_id(primary_key=True),
    Column("cleaning_cents", BigInteger, nullable=False, server_default="0"),
    Column("extra_guest_cents", BigInteger, nullable=False, server_default="0"),
    Column("guests_included", Integer),
    Column("pet_cents", BigInteger),
    Column("long_weekend_name", String(80)),
    Column("long_weekend_nightly_cents", BigInteger),
    Column("long_weekend_percent", Numeric(7, 2)),
    Column("long_weekend_min_nights", Integer),
    Column("stay_discounts", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("cancellation_tiers", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # Dated percentage changes ("+8 % from 2027-03-01"), compounding in date order (0018).
    Column("price_changes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    CheckConstraint(
        "cleaning_cents >= 0 AND extra_guest_cents >= 0 AND pet_cents >= 0",
        name="price_terms_fees_valid",
    ),
    CheckConstraint(
        "long_weekend_nightly_cents > 0 AND long_weekend_percent > -100",
        name="price_terms_long_weekend_not_free",
    ),
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

booking_money = Table(
    "booking_money",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column(
        "reservation_id",
        BigInteger,
        ForeignKey("reservations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("direction", String(10), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("method", String(20)),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("recorded_by", String(320), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("covers", String(10)),
    Column("flag", String(20)),
    Column("note", Text),
    # A payment flagged unmatched or overpaid, settled by the owner (migration 0027).
    Column("attention_resolved_at", DateTime(timezone=True)),
    Column("attention_resolution", String(20)),
    UniqueConstraint(
        "reservation_id", "direction", "reference", name="booking_money_reference_key"
    ),
    CheckConstraint(
        "direction IN ('payment', 'refund', 'credit')", name="booking_money_direction_known"
    ),
    CheckConstraint("amount_cents > 0", name="booking_money_amount_positive"),
    Index(
        "booking_money_open_flags_idx",
        "recorded_at",
        postgresql_where=text(
            "direction = 'payment' AND flag IN ('overpaid', 'unmatched') "
            "AND attention_resolved_at IS NULL"
        ),
    ),
)

# Credits for another date, tied to the guest's phone (migration 0020).
guest_credits = Table(
    "guest_credits",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("phone_key", String(32), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column(
        "source_id", BigInteger, ForeignKey("reservations.id", ondelete="CASCADE"), nullable=False
    ),
    Column("reference", String(100), nullable=False),
    Column("issued_by", String(320), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("expires_on", Date),
    Column("applied_to", BigInteger, ForeignKey("reservations.id", ondelete="SET NULL")),
    Column("applied_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_id", "reference", name="guest_credits_reference_key"),
    CheckConstraint("amount_cents > 0", name="guest_credits_amount_positive"),
    CheckConstraint(
        "expires_on IS NULL OR expires_on >= issued_on", name="guest_credits_expiry_after_issue"
    ),
    Index("guest_credits_phone_idx", "phone_key"),
    Index(
        "guest_credits_applied_idx",
        "applied_to",
        postgresql_where=text("applied_to IS NOT NULL"),
    ),
)

# Transfer receipts guests send over WhatsApp, with their booking (migration 0021).
booking_receipts = Table(
    "booking_receipts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column(
        "reservation_id",
        BigInteger,
        ForeignKey("reservations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("media_id", String(128), nullable=False),
    Column("mime_type", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("decided_by", String(320)),
    Column("decided_at", DateTime(timezone=True)),
    UniqueConstraint("media_id", name="booking_receipts_media_key"),
    CheckConstraint(
        "status IN ('pending', 'approved', 'rejected')", name="booking_receipts_status_known"
    ),
    CheckConstraint("size_bytes > 0", name="booking_receipts_size_positive"),
    Index("booking_receipts_reservation_idx", "reservation_id"),
    Index(
        "booking_receipts_pending_idx",
        "received_at",
        postgresql_where=text("status = 'pending'"),
    ),
)
