"""Conversations: conversations, turns, index rows with full text, tags, reactions, outbox.

Full text: an FTS5 table ``conv_messages_fts`` kept by triggers on SQLite; a generated
``tsv`` column (``to_tsvector('simple', text)``) with a GIN index on PostgreSQL.

Revision ID: 0006_conversations
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_conversations"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE conv_messages_fts USING fts5(message_id UNINDEXED, text)",
    "CREATE TRIGGER conv_messages_fts_ai AFTER INSERT ON conv_messages BEGIN "
    "INSERT INTO conv_messages_fts(message_id, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER conv_messages_fts_ad AFTER DELETE ON conv_messages BEGIN "
    "DELETE FROM conv_messages_fts WHERE message_id = old.id; END",
    "CREATE TRIGGER conv_messages_fts_au AFTER UPDATE OF text ON conv_messages BEGIN "
    "UPDATE conv_messages_fts SET text = new.text WHERE message_id = old.id; END",
]

POSTGRES_FTS = [
    "ALTER TABLE conv_messages ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "CREATE INDEX ix_conv_messages_tsv ON conv_messages USING GIN (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "conv_conversations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("project", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        ts("created_at"),
        ts("updated_at"),
    )
    op.create_index("ix_conv_conversations_user", "conv_conversations", ["user_id", "updated_at"])
    op.create_table(
        "conv_turns",
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("turn_id", sa.String(64), nullable=False),
        sa.Column("item_number", sa.Integer, nullable=True),
        ts("ts"),
        ts("end_ts", nullable=True),
        ts("expires_at", nullable=True),
        sa.PrimaryKeyConstraint("conversation_id", "turn_id", name="pk_conv_turns"),
    )
    op.create_table(
        "conv_messages",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("turn_id", sa.String(64), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("tags", JSON, nullable=False),
        ts("ts"),
        sa.Column("ttl_s", sa.Integer, nullable=True),
        ts("expires_at", nullable=True),
        sa.Column("embedding", sa.LargeBinary, nullable=True),
        sa.Column("hosted_uri", sa.String(1000), nullable=False),
    )
    op.create_index(
        "ix_conv_messages_conv_kind", "conv_messages", ["conversation_id", "kind", "ts"]
    )
    op.create_index("ix_conv_messages_user_ts", "conv_messages", ["user_id", "ts"])
    op.create_index("ix_conv_messages_expires", "conv_messages", ["expires_at"])
    op.create_table(
        "conv_message_tags",
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("tag", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "tag", name="pk_conv_message_tags"),
    )
    op.create_index("ix_conv_message_tags_tag", "conv_message_tags", ["tag", "message_id"])
    op.create_table(
        "conv_reactions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("turn_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("reaction", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        ts("ts"),
    )
    op.create_index(
        "ix_conv_reactions_turn", "conv_reactions", ["conversation_id", "turn_id", "ts"]
    )
    op.create_table(
        "conv_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("blob_key", sa.String(1000), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=True),
        ts("created_at"),
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS conv_messages_fts")
    for table in (
        "conv_outbox",
        "conv_reactions",
        "conv_message_tags",
        "conv_messages",
        "conv_turns",
        "conv_conversations",
    ):
        op.drop_table(table)
