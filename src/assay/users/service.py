"""Users and API tokens: a token is shown once, only its SHA-256 hash is stored.

A user may hold several tokens over time; :func:`reissue_token` revokes every active one and
issues a new one, :func:`revoke_tokens` revokes them all. A revoked token no longer
authenticates (the API answers 401).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from assay.storage import Database, new_id, utcnow
from assay.users.tables import api_tokens, users

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,199}$")


class User(BaseModel):
    """An authenticated user."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str


class UserSummary(BaseModel):
    """A user as ``assay users list`` shows it.

    Attributes:
        name: User name.
        created_at: When the user was created (UTC).
        active_tokens: Tokens that still authenticate.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    created_at: datetime
    active_tokens: int


class UserError(ValueError):
    """A user could not be created: ``field`` and ``rule`` say why."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class UnknownUserError(LookupError):
    """No user has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no user named {name!r}")
        self.name = name


def check_name(name: str) -> None:
    """Check a user name's form (1-200 of ``A-Za-z0-9_.@-``, starting with a letter or digit).

    Raises:
        UserError: ``field="name"`` when it is malformed.
    """
    if not NAME_PATTERN.match(name):
        raise UserError(
            "name", "must be 1-200 letters, digits or _.@- and start with a letter or digit"
        )


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (tokens are 256-bit random, so no salt or KDF is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(db: Database, *, name: str) -> tuple[User, str]:
    """Create a user and return it with a new API token (the only time the token exists).

    Raises:
        UserError: If the name is malformed or taken.
    """
    check_name(name)
    token = _new_token()
    user = User(id=new_id("user"), name=name)
    now = utcnow()
    try:
        async with db.transaction() as conn:
            await conn.execute(
                users.insert().values(
                    id=user.id, name=name, token_hash=hash_token(token), created_at=now
                )
            )
            await _insert_token(conn, user_id=user.id, token=token, now=now)
    except IntegrityError as exc:
        raise UserError("name", f"user {name!r} already exists") from exc
    return user, token


def _new_token() -> str:
    return "assay_" + secrets.token_urlsafe(32)


async def _insert_token(conn: AsyncConnection, *, user_id: str, token: str, now: datetime) -> None:
    await conn.execute(
        api_tokens.insert().values(
            id=new_id("tok"), user_id=user_id, token_hash=hash_token(token), created_at=now
        )
    )


async def get_user(db: Database, *, name: str) -> User | None:
    """The user called ``name``, or ``None``."""
    async with db.read() as conn:
        row = (
            await conn.execute(sa.select(users.c.id, users.c.name).where(users.c.name == name))
        ).first()
    return None if row is None else User(id=row.id, name=row.name)


async def list_users(db: Database) -> list[UserSummary]:
    """Every user by name, with the number of tokens that still authenticate."""
    active = (
        sa.select(sa.func.count())
        .where(api_tokens.c.user_id == users.c.id, api_tokens.c.revoked_at.is_(None))
        .scalar_subquery()
    )
    async with db.read() as conn:
        rows = (
            await conn.execute(
                sa.select(users.c.name, users.c.created_at, active.label("active")).order_by(
                    users.c.name
                )
            )
        ).all()
    return [UserSummary(name=r.name, created_at=r.created_at, active_tokens=r.active) for r in rows]


async def revoke_tokens(db: Database, *, name: str, now: datetime) -> int:
    """Revoke every active token of the user ``name``; returns how many were active.

    Raises:
        UnknownUserError: no user has this name.
    """
    async with db.transaction() as conn:
        user_id = await _user_id(conn, name)
        return await _revoke(conn, user_id=user_id, now=now)


async def reissue_token(db: Database, *, name: str, now: datetime) -> tuple[str, int]:
    """Revoke the user's active tokens and issue a new one, in one transaction.

    Returns:
        ``(token, revoked)``: the new token (the only time it exists in clear) and how many
        tokens were revoked.

    Raises:
        UnknownUserError: no user has this name.
    """
    token = _new_token()
    async with db.transaction() as conn:
        user_id = await _user_id(conn, name)
        revoked = await _revoke(conn, user_id=user_id, now=now)
        await _insert_token(conn, user_id=user_id, token=token, now=now)
    return token, revoked


async def _user_id(conn: AsyncConnection, name: str) -> str:
    user_id = (
        await conn.execute(sa.select(users.c.id).where(users.c.name == name))
    ).scalar_one_or_none()
    if user_id is None:
        raise UnknownUserError(name)
    return str(user_id)


async def _revoke(conn: AsyncConnection, *, user_id: str, now: datetime) -> int:
    result = await conn.execute(
        api_tokens.update()
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)


async def get_or_create_user(db: Database, *, name: str) -> User:
    """The user called ``name``, created (with a discarded token) if missing."""
    found = await get_user(db, name=name)
    if found is not None:
        return found
    try:
        user, _ = await create_user(db, name=name)
    except UserError:  # created concurrently
        found = await get_user(db, name=name)
        if found is None:
            raise
        return found
    return user


async def authenticate(db: Database, *, token: str) -> User | None:
    """The user owning ``token``, or ``None`` (unknown or revoked token)."""
    async with db.read() as conn:
        row = (
            await conn.execute(
                sa.select(users.c.id, users.c.name)
                .join(api_tokens, api_tokens.c.user_id == users.c.id)
                .where(
                    api_tokens.c.token_hash == hash_token(token),
                    api_tokens.c.revoked_at.is_(None),
                )
            )
        ).first()
    return None if row is None else User(id=row.id, name=row.name)


__all__ = [
    "UnknownUserError",
    "User",
    "UserError",
    "UserSummary",
    "authenticate",
    "check_name",
    "create_user",
    "get_or_create_user",
    "get_user",
    "hash_token",
    "list_users",
    "reissue_token",
    "revoke_tokens",
]
