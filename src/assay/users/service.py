"""Users and API tokens: a token is shown once, only its SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError

from assay.storage import Database, new_id, utcnow
from assay.users.tables import users

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,199}$")


class User(BaseModel):
    """An authenticated user."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str


class UserError(ValueError):
    """A user could not be created: ``field`` and ``rule`` say why."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (tokens are 256-bit random, so no salt or KDF is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(db: Database, *, name: str) -> tuple[User, str]:
    """Create a user and return it with a new API token (the only time the token exists).

    Raises:
        UserError: If the name is malformed or taken.
    """
    if not NAME_PATTERN.match(name):
        raise UserError(
            "name", "must be 1-200 letters, digits or _.@- and start with a letter or digit"
        )
    token = "assay_" + secrets.token_urlsafe(32)
    user = User(id=new_id("user"), name=name)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                users.insert().values(
                    id=user.id, name=name, token_hash=hash_token(token), created_at=utcnow()
                )
            )
    except IntegrityError as exc:
        raise UserError("name", f"user {name!r} already exists") from exc
    return user, token


async def get_or_create_user(db: Database, *, name: str) -> User:
    """The user called ``name``, created (with a discarded token) if missing."""
    async with db.read() as conn:
        row = (
            await conn.execute(sa.select(users.c.id, users.c.name).where(users.c.name == name))
        ).first()
    if row is not None:
        return User(id=row.id, name=row.name)
    try:
        user, _ = await create_user(db, name=name)
    except UserError:
        async with db.read() as conn:
            row = (
                await conn.execute(sa.select(users.c.id, users.c.name).where(users.c.name == name))
            ).one()
        return User(id=row.id, name=row.name)
    return user


async def authenticate(db: Database, *, token: str) -> User | None:
    """The user owning ``token``, or ``None``."""
    async with db.read() as conn:
        row = (
            await conn.execute(
                sa.select(users.c.id, users.c.name).where(users.c.token_hash == hash_token(token))
            )
        ).first()
    return None if row is None else User(id=row.id, name=row.name)


__all__ = ["User", "UserError", "authenticate", "create_user", "get_or_create_user", "hash_token"]
