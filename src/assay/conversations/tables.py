"""Tables of the conversation store: conversations, turns, index rows, tags, reactions, outbox.

* ``conv_conversations``: one row per conversation (its owner; a session's id is its
  conversation id).
* ``conv_turns``: one row per turn (the turns table replaces the reference's per-row turn tag
  lists, so rows grow linearly with turns).
* ``conv_messages``: the index rows (the seed's ``conv_messages``): kind, index ``text``,
  ``ts``, ``ttl_s`` / ``expires_at``, an optional caller-supplied float32 ``embedding`` and
  ``hosted_uri`` (the blob key, or ``"index_only"``). Full text lives in the FTS5 table
  ``conv_messages_fts`` on SQLite (kept by triggers) and in the generated ``tsv`` column with
  a GIN index on PostgreSQL (both created by migration ``0006_conversations``).
* ``conv_message_tags``: one row per (index row, tag).
* ``conv_reactions``: append-only feedback rows; the latest per turn is derived, never stored.
* ``conv_outbox``: blob writes and deletes committed with the index rows, rolled forward by
  :func:`assay.conversations.outbox.flush`.
"""

import sqlalchemy as sa

from assay.storage.base import JSONType, UTCDateTime, metadata

conv_conversations = sa.Table(
    "conv_conversations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("project", sa.String(100), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_conv_conversations_user", "user_id", "updated_at"),
)

conv_turns = sa.Table(
    "conv_turns",
    metadata,
    sa.Column("conversation_id", sa.String(64), primary_key=True),
    sa.Column("turn_id", sa.String(64), primary_key=True),
    sa.Column("item_number", sa.Integer, nullable=True),
    sa.Column("ts", UTCDateTime(), nullable=False),
    sa.Column("end_ts", UTCDateTime(), nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
)

conv_messages = sa.Table(
    "conv_messages",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("turn_id", sa.String(64), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("tags", JSONType, nullable=False),
    sa.Column("ts", UTCDateTime(), nullable=False),
    sa.Column("ttl_s", sa.Integer, nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("embedding", sa.LargeBinary, nullable=True),
    sa.Column("hosted_uri", sa.String(1000), nullable=False),
    sa.Index("ix_conv_messages_conv_kind", "conversation_id", "kind", "ts"),
    sa.Index("ix_conv_messages_user_ts", "user_id", "ts"),
    sa.Index("ix_conv_messages_expires", "expires_at"),
)

conv_message_tags = sa.Table(
    "conv_message_tags",
    metadata,
    sa.Column("message_id", sa.String(64), primary_key=True),
    sa.Column("tag", sa.String(300), primary_key=True),
    sa.Index("ix_conv_message_tags_tag", "tag", "message_id"),
)

conv_reactions = sa.Table(
    "conv_reactions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("turn_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("reaction", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("origin", sa.String(16), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("ts", UTCDateTime(), nullable=False),
    sa.Index("ix_conv_reactions_turn", "conversation_id", "turn_id", "ts"),
)

conv_outbox = sa.Table(
    "conv_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("op", sa.String(8), nullable=False),
    sa.Column("blob_key", sa.String(1000), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

__all__ = [
    "conv_conversations",
    "conv_message_tags",
    "conv_messages",
    "conv_outbox",
    "conv_reactions",
    "conv_turns",
]
