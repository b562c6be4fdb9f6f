"""The transactional outbox of blob writes, its roll-forward and the orphan collector.

A write commits its index rows together with outbox entries (``put`` with the blob bytes, or
``delete``) in one transaction; only after the commit are the blobs written or deleted and the
entries removed. A crash at any point leaves either nothing (before the commit) or committed
entries that :func:`flush` replays (both operations are idempotent), so after recovery there
is no index row without its blob. Blobs nothing refers to (damage from outside, a ``put`` that
raced a ``delete``) are removed by :func:`collect_orphans`.

Steps of one write, with the fault-injection point named after each (tests raise or SIGKILL
there): ``rows`` (index rows inserted) -> ``outbox`` (entries inserted) -> ``commit`` ->
``blob`` (the blob written or deleted) -> ``cleared`` (the entry removed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from assay.blobs import BlobStore
from assay.conversations.layout import ROOT, decode_envelope
from assay.conversations.tables import conv_messages, conv_outbox
from assay.storage import Database

#: Called with a step name after each step of a write (tests inject crashes here).
Fault = Callable[[str], None]

PUT = "put"
DELETE = "delete"


def hit(fault: Fault | None, step: str) -> None:
    """Run the fault hook, if any, at ``step``."""
    if fault is not None:
        fault(step)


async def enqueue(conn: Any, *, op: str, key: str, payload: bytes | None, now: datetime) -> int:
    """Add one outbox entry in the caller's transaction; returns its id."""
    result = await conn.execute(
        sa.insert(conv_outbox)
        .values(op=op, blob_key=key, payload=payload, created_at=now)
        .returning(conv_outbox.c.id)
    )
    return int(result.scalar_one())


async def flush(
    db: Database,
    blobs: BlobStore,
    *,
    ids: Iterable[int] | None = None,
    fault: Fault | None = None,
) -> int:
    """Apply outbox entries in id order (``ids`` only, or all) and remove them.

    Returns:
        The number of entries applied.
    """
    query = sa.select(conv_outbox).order_by(conv_outbox.c.id)
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return 0
        query = query.where(conv_outbox.c.id.in_(wanted))
    async with db.read() as conn:
        entries = (await conn.execute(query)).mappings().all()
    for entry in entries:
        if entry["op"] == PUT:
            await blobs.put(entry["blob_key"], bytes(entry["payload"]))
        else:
            await blobs.delete(entry["blob_key"])
        hit(fault, "blob")
        async with db.transaction() as conn:
            await conn.execute(sa.delete(conv_outbox).where(conv_outbox.c.id == entry["id"]))
        hit(fault, "cleared")
    return len(entries)


async def pending_payload(conn: Any, key: str) -> bytes | None:
    """The bytes of the newest pending ``put`` of ``key`` (a committed, unflushed write)."""
    result = await conn.execute(
        sa.select(conv_outbox.c.op, conv_outbox.c.payload)
        .where(conv_outbox.c.blob_key == key)
        .order_by(conv_outbox.c.id.desc())
        .limit(1)
    )
    row = result.first()
    if row is None or row.op != PUT:
        return None
    return bytes(row.payload)


async def collect_orphans(db: Database, blobs: BlobStore, *, prefix: str = ROOT) -> list[str]:
    """Delete blobs under ``prefix`` that no index row and no pending write refers to.

    A blob saved with ``store_only=True`` (no index row by design) is kept: its envelope says
    ``"index": false``. Run :func:`flush` first, so pending writes are applied.

    Returns:
        The deleted keys, sorted.
    """
    keys = await blobs.list_keys(prefix)
    if not keys:
        return []
    async with db.read() as conn:
        referenced = set(
            (
                await conn.execute(
                    sa.select(conv_messages.c.hosted_uri).where(
                        conv_messages.c.hosted_uri.like(prefix.rstrip("/") + "/%")
                    )
                )
            ).scalars()
        )
        pending = set((await conn.execute(sa.select(conv_outbox.c.blob_key))).scalars())
    deleted = []
    for key in keys:
        if key in referenced or key in pending:
            continue
        try:
            if decode_envelope(await blobs.get(key)).get("index") is False:
                continue
        except (KeyError, ValueError):
            pass
        await blobs.delete(key)
        deleted.append(key)
    return deleted


__all__ = [
    "DELETE",
    "PUT",
    "Fault",
    "collect_orphans",
    "enqueue",
    "flush",
    "hit",
    "pending_payload",
]
