"""Tables of sessions, their served items, their message log, their events, IRT calibrations."""

import sqlalchemy as sa

from assay.storage.base import JSONType, UTCDateTime, metadata

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("session_type", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("driver", sa.String(32), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("blueprint_id", sa.String(200), nullable=True),
    sa.Column("config", JSONType, nullable=False),
    sa.Column("plan", JSONType, nullable=False),
    sa.Column("total_items", sa.Integer, nullable=False),
    sa.Column("time_limit_s", sa.Integer, nullable=True),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("pending_action", JSONType, nullable=True),
    sa.Column("end_reason", sa.String(64), nullable=True),
    sa.Column("results", JSONType, nullable=True),
    sa.Column("lease_owner", sa.String(200), nullable=True),
    sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("deadline_at", UTCDateTime(), nullable=True),
    sa.Column("ended_at", UTCDateTime(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("cat_state", JSONType, nullable=True),
)

session_items = sa.Table(
    "session_items",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("item_number", sa.Integer, primary_key=True),
    sa.Column("item", JSONType, nullable=False),
    sa.Column("section_id", sa.String(200), nullable=True),
    sa.Column("skill_id", sa.String(200), nullable=False),
    sa.Column("served_tool_call_id", sa.String(200), nullable=False),
    sa.Column("served_at", UTCDateTime(), nullable=False),
    sa.Column("presented_tool_call_id", sa.String(200), nullable=True),
    sa.Column("presented_at", UTCDateTime(), nullable=True),
    sa.Column("response", JSONType, nullable=True),
    sa.Column("respond_result", JSONType, nullable=True),
    sa.Column("responded_at", UTCDateTime(), nullable=True),
    sa.Column("time_taken_ms", sa.Integer, nullable=True),
    sa.Column("correct", sa.Boolean, nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("recorded_at", UTCDateTime(), nullable=True),
)

session_messages = sa.Table(
    "session_messages",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=True),
    sa.Column("tool_calls", JSONType, nullable=True),
    sa.Column("tool_call_id", sa.String(200), nullable=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("meta", JSONType, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("session_id", "tool_call_id", name="uq_session_messages_tool_call"),
)

session_events = sa.Table(
    "session_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("data", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

irt_calibrations = sa.Table(
    "irt_calibrations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("blueprint_id", sa.String(200), nullable=True),
    sa.Column("n_sessions", sa.Integer, nullable=False),
    sa.Column("n_responses", sa.Integer, nullable=False),
    sa.Column("params", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_irt_calibrations_blueprint_id", "blueprint_id", "created_at"),
)

__all__ = ["irt_calibrations", "session_events", "session_items", "session_messages", "sessions"]
