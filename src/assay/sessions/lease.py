"""Per-session lease: at most one stream runs a session's loop at a time, across processes.

A lease is a row-level compare-and-set on ``sessions.lease_owner``/``lease_expires_at``::

    UPDATE sessions SET lease_owner = :me, lease_expires_at = :now + ttl
     WHERE id = :id AND (lease_owner IS NULL OR lease_owner = :me OR lease_expires_at < :now)

It works on SQLite (one writer at a time) and PostgreSQL (row lock of the UPDATE) alike. A
holder renews it on every loop step; a crashed holder's lease lapses after ``ttl_s``, or at
once when its owner id names a process on this host that no longer exists.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from assay.sessions.tables import sessions
from assay.storage import Database, utcnow

HOST = socket.gethostname()


def new_owner() -> str:
    """A lease owner id: ``host:pid:nonce``."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_dead(owner: str) -> bool:
    """True when ``owner`` names a process of this host that is gone."""
    try:
        host, pid_text, _ = owner.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != HOST or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaseUnavailableError(Exception):
    """Another live stream holds the session's lease."""


async def try_acquire(
    db: Database, *, session_id: str, owner: str, ttl_s: float, now: datetime
) -> bool:
    """Take or renew the lease; True on success."""
    expires = now + timedelta(seconds=ttl_s)
    cond = sa.or_(
        sessions.c.lease_owner.is_(None),
        sessions.c.lease_owner == owner,
        sessions.c.lease_expires_at < now,
    )
    async with db.transaction() as conn:
        result = await conn.execute(
            sessions.update()
            .where(sessions.c.id == session_id, cond)
            .values(lease_owner=owner, lease_expires_at=expires)
        )
        if result.rowcount == 1:
            return True
        holder = (
            await conn.execute(sa.select(sessions.c.lease_owner).where(sessions.c.id == session_id))
        ).scalar_one_or_none()
        if holder and owner_is_dead(holder):
            result = await conn.execute(
                sessions.update()
                .where(sessions.c.id == session_id, sessions.c.lease_owner == holder)
                .values(lease_owner=owner, lease_expires_at=expires)
            )
            return result.rowcount == 1
    return False


async def acquire(
    db: Database, *, session_id: str, owner: str, ttl_s: float, wait_s: float, poll_s: float = 0.05
) -> None:
    """Take the lease, waiting up to ``wait_s`` seconds for another holder to release it.

    Raises:
        LeaseUnavailableError: If it is still held after ``wait_s``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        if await try_acquire(db, session_id=session_id, owner=owner, ttl_s=ttl_s, now=utcnow()):
            return
        if loop.time() >= deadline:
            raise LeaseUnavailableError(session_id)
        await asyncio.sleep(poll_s)


async def release(db: Database, *, session_id: str, owner: str) -> None:
    """Give the lease back (no-op if another owner holds it)."""
    async with db.transaction() as conn:
        await conn.execute(
            sessions.update()
            .where(sessions.c.id == session_id, sessions.c.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
        )


__all__ = [
    "LeaseUnavailableError",
    "acquire",
    "new_owner",
    "owner_is_dead",
    "release",
    "try_acquire",
]
