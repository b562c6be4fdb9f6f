"""The storage port: one :class:`Database` over SQLite (aiosqlite) or PostgreSQL (asyncpg).

Every multi-step write runs in one :meth:`Database.transaction`. On SQLite a write transaction
starts with ``BEGIN IMMEDIATE`` (it takes the write lock up front, so two writers never
deadlock on a lock upgrade) and writers of one process queue on an :class:`asyncio.Lock`
instead of spinning on ``SQLITE_BUSY``; other processes wait up to ``busy_timeout_ms``. Files
use WAL. On PostgreSQL a transaction is ``READ COMMITTED``; code that must serialise on a row
uses :func:`for_update` (``SELECT ... FOR UPDATE``, a no-op on SQLite, which already holds the
database write lock).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: Seconds a SQLite connection waits for another process's write lock.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Map plain URLs to the async drivers Assay uses.

    ``sqlite:///x.db`` -> ``sqlite+aiosqlite:///x.db``; ``postgresql://...`` and
    ``postgres://...`` -> ``postgresql+asyncpg://...``. Other URLs pass unchanged.
    """
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


class Database:
    """An async SQL database holding all of Assay's tables.

    Build one with :meth:`memory` (a fresh in-memory SQLite database, migrated on first use)
    or ``await Database.connect(url)`` (a file or PostgreSQL, migrated to the latest schema
    unless ``upgrade=False``).

    Example:
        >>> db = Database.memory()
        >>> async with db.transaction() as conn:   # doctest: +SKIP
        ...     await conn.execute(...)
    """

    def __init__(self, engine: AsyncEngine, *, migrate_on_first_use: bool = False) -> None:
        self.engine = engine
        self.dialect: str = engine.dialect.name
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None
        self._memory = engine.url.database in (None, "", ":memory:") and self.dialect == "sqlite"
        self._pending_upgrade = migrate_on_first_use
        self._upgrade_lock = asyncio.Lock()
        if self.dialect == "sqlite":
            _configure_sqlite(engine, wal=not self._memory)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def memory(cls) -> Database:
        """A fresh, private in-memory SQLite database (schema created on first use)."""
        engine = create_async_engine(
            "sqlite+aiosqlite://",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
        )
        return cls(engine, migrate_on_first_use=True)

    @classmethod
    async def connect(cls, url: str, *, upgrade: bool = True, pool_size: int = 10) -> Database:
        """Open a database by URL and (by default) migrate it to the latest schema.

        Args:
            url: ``sqlite:///path.db``, ``sqlite+aiosqlite:///...``, ``postgresql://...`` or
                ``postgresql+asyncpg://...``. ``sqlite://`` alone is an in-memory database.
            upgrade: Run Alembic migrations to ``heads`` before returning.
            pool_size: Connections kept open (PostgreSQL and SQLite files).

        Raises:
            sqlalchemy.exc.ArgumentError: For a URL SQLAlchemy cannot parse.
        """
        full = normalize_url(url)
        parsed = make_url(full)
        kwargs: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                db = cls.memory()
                if upgrade:
                    await db.upgrade()
                return db
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = 0
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size
            # No pre-ping: it costs a round trip per checkout (half of all transactions in the
            # session benchmark). A connection the server dropped is invalidated on its first
            # error and replaced; idle ones are recycled after 30 minutes.
            kwargs["pool_recycle"] = 1800
        db = cls(create_async_engine(full, **kwargs))
        if upgrade:
            await db.upgrade()
        return db

    # -- schema -----------------------------------------------------------------------
    async def upgrade(self, revision: str = "heads") -> None:
        """Run Alembic migrations up to ``revision`` (all branch heads by default)."""
        from alembic import command

        async with self._upgrade_lock:
            cfg = alembic_config()

            def run(sync_conn: Connection) -> None:
                cfg.attributes["connection"] = sync_conn
                command.upgrade(cfg, revision)

            async with self.engine.begin() as conn:
                await conn.run_sync(run)
            self._pending_upgrade = False

    async def _ensure_ready(self) -> None:
        if self._pending_upgrade:
            async with self._upgrade_lock:
                pending = self._pending_upgrade
            if pending:
                await self.upgrade()

    # -- transactions -----------------------------------------------------------------
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed on normal exit, rolled back on any exception."""
        await self._ensure_ready()
        if self._write_lock is not None:
            async with self._write_lock, self.engine.connect() as conn:
                await conn.execution_options(assay_write=True)
                async with conn.begin():
                    yield conn
        else:
            async with self.engine.connect() as conn, conn.begin():
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction (a consistent snapshot on PostgreSQL and SQLite WAL)."""
        await self._ensure_ready()
        if self._memory and self._write_lock is not None:
            # One shared connection: readers must not interleave with a writer.
            async with self._write_lock, self.engine.connect() as conn, conn.begin():
                yield conn
        else:
            async with self.engine.connect() as conn, conn.begin():
                yield conn

    async def close(self) -> None:
        """Dispose of every pooled connection."""
        await self.engine.dispose()


def for_update(stmt: Select[Any]) -> Select[Any]:
    """Lock the selected rows until the transaction ends (PostgreSQL; SQLite ignores it)."""
    return stmt.with_for_update()


def alembic_config() -> Any:
    """The Alembic configuration of Assay's migrations (no ``alembic.ini`` needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _configure_sqlite(engine: AsyncEngine, *, wal: bool) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (SQLAlchemy's documented
        # recipe for aiosqlite), so that write transactions can be IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if wal:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("assay_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


__all__ = ["Database", "alembic_config", "for_update", "normalize_url"]
