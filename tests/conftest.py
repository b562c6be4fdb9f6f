"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

``db`` is parametrized over ``sqlite`` (a migrated file in the test's tmp dir) and
``postgresql`` (a database cloned per test from a template migrated once per run, as
procrastinate does). PostgreSQL tests skip when the server is unreachable, except under
``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from assay.storage import Database

PG_ADMIN_URL = os.environ.get("ASSAY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pg_base() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0]


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class PgTemplate:
    """A migrated template database, created lazily once per test run."""

    def __init__(self) -> None:
        self.name = f"assay_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.ready = False
        self.error: BaseException | None = None

    async def ensure(self) -> None:
        if self.ready:
            return
        if self.error is not None:
            raise self.error
        try:
            await _pg_admin(f'CREATE DATABASE "{self.name}"')
            db = await Database.connect(f"{_pg_base()}/{self.name}")
            await db.close()
            self.ready = True
        except (TimeoutError, OSError, Exception) as exc:
            self.error = exc
            raise

    async def clone(self) -> str:
        await self.ensure()
        name = f"assay_t_{uuid.uuid4().hex[:12]}"
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return name

    def drop(self) -> None:
        if self.ready:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PgTemplate]:
    tpl = PgTemplate()
    yield tpl
    tpl.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"

    async def build() -> None:
        db = await Database.connect(f"sqlite:///{path}")
        await db.close()  # the last connection to close checkpoints the WAL into the file

    asyncio.run(build())
    return path


async def fresh_database_url(
    backend: str, *, tmp_path: Path, sqlite_template: Path, pg_template: PgTemplate
) -> tuple[str, str | None]:
    """A URL of a fresh, migrated database; second item is the PG name to drop after."""
    if backend == "sqlite":
        target = tmp_path / "assay.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}", None
    try:
        name = await pg_template.clone()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable under CI=true: {exc!r}")
        pytest.skip(f"PostgreSQL unreachable: {exc!r}")
    return f"{_pg_base()}/{name}", name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(
    backend: str, tmp_path: Path, sqlite_template: Path, pg_template: PgTemplate
) -> AsyncIterator[str]:
    """URL of a fresh migrated database on each backend."""
    url, pg_name = await fresh_database_url(
        backend, tmp_path=tmp_path, sqlite_template=sqlite_template, pg_template=pg_template
    )
    yield url
    if pg_name is not None:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A fresh, migrated :class:`Database` per test, on SQLite and on PostgreSQL."""
    database = await Database.connect(db_url, upgrade=False)
    yield database
    await database.close()
