"""Per-artifact write locks: writers of one artifact in one process take turns.

The reference library (seed 000, ``ArtifactRegistry``) holds a per-artifact lock around every
read-modify-write (``revise``, ``set_status``), so concurrent callers on one artifact apply one
after the other instead of failing. :func:`artifact_lock` gives the same within one process:
one :class:`KeyedLocks` per :class:`~assay.storage.Database` object, shared by every registry
on it. Across processes the registry's compare-and-set (``row_version``) still decides; see
:mod:`assay.artifacts.registry` for the retry.

A lock exists only while someone holds or awaits it, so the table does not grow with the
number of artifacts ever touched. The locks are not re-entrant: never call a locked registry
method on the same artifact while holding its lock (the registry runs hooks after release).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from assay.storage import Database


class KeyedLocks:
    """One :class:`asyncio.Lock` per key, dropped when its last user leaves."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the lock of ``key`` for the ``async with`` block (first come, first served)."""
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            _, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        """Keys whose lock is held or awaited now."""
        return len(self._locks)


_LOCKS: weakref.WeakKeyDictionary[Database, KeyedLocks] = weakref.WeakKeyDictionary()


def artifact_locks(db: Database) -> KeyedLocks:
    """The :class:`KeyedLocks` of ``db`` (one per database object)."""
    locks = _LOCKS.get(db)
    if locks is None:
        locks = _LOCKS[db] = KeyedLocks()
    return locks


__all__ = ["KeyedLocks", "artifact_locks"]
