"""Tables of users and their API tokens.

``api_tokens`` holds every token ever issued (its SHA-256 hash only) with ``revoked_at``; a
token authenticates while it is not revoked. ``users.token_hash`` is the hash of the user's
first token (schema 0001); since migration ``0007_users`` authentication reads ``api_tokens``
only, so revoking that first token there revokes it everywhere.
"""

import sqlalchemy as sa

from assay.storage.base import UTCDateTime, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

__all__ = ["api_tokens", "users"]
