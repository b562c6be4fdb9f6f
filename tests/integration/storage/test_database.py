"""Contract tests of the Database port on every backend."""

import asyncio

import pytest
import sqlalchemy as sa

from assay.storage import Database, normalize_url
from assay.storage.base import utcnow
from assay.users.tables import users


async def test_transaction_commits_and_rolls_back(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            users.insert().values(id="u1", name="a", token_hash="h1", created_at=utcnow())
        )
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                users.insert().values(id="u2", name="b", token_hash="h2", created_at=utcnow())
            )
            raise RuntimeError("boom")
    async with db.read() as conn:
        names = (await conn.execute(sa.select(users.c.name))).scalars().all()
    assert names == ["a"]


async def test_timestamps_round_trip_as_utc(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as conn:
        await conn.execute(users.insert().values(id="u1", name="a", token_hash="h", created_at=now))
    async with db.read() as conn:
        got = (await conn.execute(sa.select(users.c.created_at))).scalar_one()
    assert got == now
    assert got.utcoffset() is not None and got.utcoffset().total_seconds() == 0


async def test_concurrent_writers_serialise(db: Database) -> None:
    async def add(i: int) -> None:
        async with db.transaction() as conn:
            await conn.execute(
                users.insert().values(
                    id=f"u{i}", name=f"n{i}", token_hash=f"h{i}", created_at=utcnow()
                )
            )

    await asyncio.gather(*(add(i) for i in range(20)))
    async with db.read() as conn:
        count = (await conn.execute(sa.select(sa.func.count()).select_from(users))).scalar_one()
    assert count == 20


async def test_memory_database_is_private_and_migrated() -> None:
    a, b = Database.memory(), Database.memory()
    async with a.transaction() as conn:
        await conn.execute(
            users.insert().values(id="u", name="x", token_hash="h", created_at=utcnow())
        )
    async with b.read() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(users))).scalar_one() == 0
    await a.close()
    await b.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///a.db", "sqlite+aiosqlite:///a.db"),
        ("postgresql://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgres://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected
