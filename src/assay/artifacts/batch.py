"""Group commit: the writes and reads of concurrent callers share transactions.

Each write is a :class:`WriteJob`: guarded updates (``WHERE id, version, row_version``) and
inserts. :class:`GroupCommit` gathers the jobs submitted while the previous flush ran and
applies them in one transaction (updates first, each update shape as one executemany, then
one executemany insert per table). If any job's guard fails or any statement raises, that
transaction is rolled back and the jobs are replayed one transaction each, so a conflict or an
error reaches only the job that caused it. On drivers that cannot count rows per executemany
(asyncpg), updates run one statement each inside the shared transaction.

:class:`LatestReader` does the same for reads of the latest version: the ids asked for while a
read runs are fetched together with one ``WHERE id IN (...)``.

Why: on SQLite each statement and each transaction costs a hand-off to the driver's thread;
sharing them across concurrent callers divides that cost by the batch size (see
``bench/bench_artifacts.py``). A single caller sees the same behaviour as one transaction per
operation. One instance of each serves every registry on the same :class:`Database`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from assay.artifacts import store
from assay.artifacts.errors import ArtifactConflictError
from assay.artifacts.tables import artifacts
from assay.storage import Database


@dataclass
class GuardedUpdate:
    """Set ``values`` on one artifact row if its ``row_version`` is still ``row_version``."""

    artifact_id: str
    version: str
    row_version: int
    values: dict[str, Any]


@dataclass
class WriteJob:
    """One operation's writes: guarded updates (applied first), then inserts."""

    updates: list[GuardedUpdate] = field(default_factory=list)
    inserts: list[tuple[sa.Table, list[dict[str, Any]]]] = field(default_factory=list)


class _Mismatch(Exception):
    """A batched guard matched fewer rows than it should: replay the jobs one by one."""


_UPDATE_CACHE: dict[tuple[str, ...], sa.Update] = {}


def _update_statement(keys: tuple[str, ...]) -> sa.Update:
    stmt = _UPDATE_CACHE.get(keys)
    if stmt is None:
        c = artifacts.c
        stmt = (
            artifacts.update()
            .where(
                c.id == sa.bindparam("k_id"),
                c.version == sa.bindparam("k_version"),
                c.row_version == sa.bindparam("k_row_version"),
            )
            .values(
                row_version=c.row_version + 1,
                **{k: sa.bindparam(f"v_{k}", type_=c[k].type) for k in keys},
            )
        )
        _UPDATE_CACHE[keys] = stmt
    return stmt


def _params(update: GuardedUpdate) -> dict[str, Any]:
    return {
        "k_id": update.artifact_id,
        "k_version": update.version,
        "k_row_version": update.row_version,
        **{f"v_{k}": v for k, v in update.values.items()},
    }


async def _apply(conn: AsyncConnection, jobs: Sequence[WriteJob], *, strict: bool) -> None:
    """Apply ``jobs`` on ``conn``; raise on the first guard that fails.

    ``strict`` (one job alone) raises :class:`ArtifactConflictError` naming the artifact;
    otherwise a failed guard raises :class:`_Mismatch`.
    """
    by_shape: dict[tuple[str, ...], list[GuardedUpdate]] = {}
    for job in jobs:
        for update in job.updates:
            by_shape.setdefault(tuple(sorted(update.values)), []).append(update)
    multi = conn.dialect.supports_sane_multi_rowcount
    for keys, updates in by_shape.items():
        stmt = _update_statement(keys)
        if len(updates) > 1 and multi and not strict:
            result = await conn.execute(stmt, [_params(u) for u in updates])
            if result.rowcount != len(updates):
                raise _Mismatch
            continue
        for update in updates:
            result = await conn.execute(stmt, _params(update))
            if result.rowcount != 1:
                if not strict:
                    raise _Mismatch
                raise ArtifactConflictError(
                    update.artifact_id,
                    expected=f"version {update.version} at row_version {update.row_version}",
                )
    by_table: dict[sa.Table, list[dict[str, Any]]] = {}
    for job in jobs:
        for table, rows in job.inserts:
            by_table.setdefault(table, []).extend(rows)
    for table, rows in by_table.items():
        if rows:
            await conn.execute(table.insert(), rows)


class GroupCommit:
    """Applies :class:`WriteJob` s of concurrent callers in shared transactions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[WriteJob, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def commit(self, job: WriteJob) -> None:
        """Apply ``job`` atomically; return once it is committed.

        Raises:
            ArtifactConflictError: A guarded update matched no row (another writer won).
            sqlalchemy.exc.IntegrityError: An insert broke a constraint.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((job, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            await self._flush(batch)

    async def _flush(self, batch: list[tuple[WriteJob, asyncio.Future[None]]]) -> None:
        if len(batch) > 1:
            try:
                async with self.db.transaction() as conn:
                    await _apply(conn, [job for job, _ in batch], strict=False)
            except Exception:
                pass
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)
                return
        for job, future in batch:
            try:
                async with self.db.transaction() as conn:
                    await _apply(conn, [job], strict=True)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(None)


class LatestReader:
    """Reads the latest versions asked for by concurrent callers with one query."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: dict[str, list[asyncio.Future[store.Loaded | None]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def load(self, artifact_id: str) -> store.Loaded | None:
        """The latest version of ``artifact_id`` as read (or ``None``)."""
        future: asyncio.Future[store.Loaded | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(artifact_id, []).append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                async with self.db.read() as conn:
                    found = await store.load_latest_many(conn, list(batch))
            except Exception as exc:
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for artifact_id, futures in batch.items():
                loaded = found.get(artifact_id)
                for i, future in enumerate(futures):
                    if future.done():
                        continue
                    # Each caller gets its own object: callers may mutate what they read.
                    copy = loaded if loaded is None or i == 0 else store.copy_loaded(loaded)
                    future.set_result(copy)


_COMMITTERS: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_READERS: weakref.WeakKeyDictionary[Database, LatestReader] = weakref.WeakKeyDictionary()


def group_commit(db: Database) -> GroupCommit:
    """The :class:`GroupCommit` of ``db`` (one per database object)."""
    committer = _COMMITTERS.get(db)
    if committer is None:
        committer = _COMMITTERS[db] = GroupCommit(db)
    return committer


def latest_reader(db: Database) -> LatestReader:
    """The :class:`LatestReader` of ``db`` (one per database object)."""
    reader = _READERS.get(db)
    if reader is None:
        reader = _READERS[db] = LatestReader(db)
    return reader


__all__ = [
    "GroupCommit",
    "GuardedUpdate",
    "LatestReader",
    "WriteJob",
    "group_commit",
    "latest_reader",
]
