"""Foundation: users, sessions, served items, message log, session events.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def ts(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
        sa.UniqueConstraint("token_hash", name="uq_users_token_hash"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64)),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("session_type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("driver", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("blueprint_id", sa.String(200), nullable=True),
        sa.Column("config", JSON, nullable=False),
        sa.Column("plan", JSON, nullable=False),
        sa.Column("total_items", sa.Integer, nullable=False),
        sa.Column("time_limit_s", sa.Integer, nullable=True),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("pending_action", JSON, nullable=True),
        sa.Column("end_reason", sa.String(64), nullable=True),
        sa.Column("results", JSON, nullable=True),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        ts("lease_expires_at"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        ts("created_at", False),
        ts("started_at"),
        ts("deadline_at"),
        ts("ended_at"),
        ts("updated_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "session_items",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("item_number", sa.Integer, nullable=False),
        sa.Column("item", JSON, nullable=False),
        sa.Column("section_id", sa.String(200), nullable=True),
        sa.Column("skill_id", sa.String(200), nullable=False),
        sa.Column("served_tool_call_id", sa.String(200), nullable=False),
        ts("served_at", False),
        sa.Column("presented_tool_call_id", sa.String(200), nullable=True),
        ts("presented_at"),
        sa.Column("response", JSON, nullable=True),
        sa.Column("respond_result", JSON, nullable=True),
        ts("responded_at"),
        sa.Column("time_taken_ms", sa.Integer, nullable=True),
        sa.Column("correct", sa.Boolean, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        ts("recorded_at"),
        sa.PrimaryKeyConstraint("session_id", "item_number", name="pk_session_items"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_session_items_session_id_sessions"
        ),
    )
    op.create_table(
        "session_messages",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=True),
        sa.Column("tool_calls", JSON, nullable=True),
        sa.Column("tool_call_id", sa.String(200), nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("meta", JSON, nullable=True),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("session_id", "seq", name="pk_session_messages"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_session_messages_session_id_sessions"
        ),
        sa.UniqueConstraint("session_id", "tool_call_id", name="uq_session_messages_tool_call"),
    )
    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("data", JSON, nullable=False),
        ts("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_session_events"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_session_events_session_id_sessions"
        ),
    )
    op.create_index("ix_session_events_session_id", "session_events", ["session_id"])


def downgrade() -> None:
    op.drop_table("session_events")
    op.drop_table("session_messages")
    op.drop_table("session_items")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("users")
