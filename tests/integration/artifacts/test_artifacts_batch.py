"""Group commit and read coalescing: concurrent callers share transactions, yet a conflict
or an error reaches only the job that caused it (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from tests.integration.artifacts.artifact_fixtures import FIVE, review_registry

from assay.artifacts import (
    Artifact,
    ArtifactConflictError,
    ArtifactRegistry,
    ArtifactTypeDefinition,
    store,
)
from assay.artifacts.batch import GuardedUpdate, WriteJob, group_commit
from assay.artifacts.tables import artifacts
from assay.storage import Database


class CountingDatabase(Database):
    """Counts write transactions."""

    writes = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        self.writes += 1
        async with super().transaction() as conn:
            yield conn


@pytest.fixture
async def cdb(db_url: str) -> AsyncIterator[CountingDatabase]:
    database = await CountingDatabase.connect(db_url, upgrade=False)
    assert isinstance(database, CountingDatabase)
    yield database
    await database.close()


async def test_concurrent_creates_share_transactions(cdb: CountingDatabase) -> None:
    registry = ArtifactRegistry(cdb)
    created = await asyncio.gather(
        *(registry.create("content", f"A{i}", {"i": i}) for i in range(40))
    )
    assert cdb.writes < 40
    stored = await registry.query(limit=100)
    assert sorted(a.name for a in stored) == sorted(a.name for a in created)


def status_job(loaded: store.Loaded, status: str) -> WriteJob:
    a = loaded.artifact
    return WriteJob(
        updates=[GuardedUpdate(a.id, a.version, loaded.row_version, {"status": status})]
    )


async def test_conflict_in_a_batch_reaches_only_the_loser(cdb: CountingDatabase) -> None:
    registry = ArtifactRegistry(cdb)
    contested = await registry.create("content", "Contested", {})
    bystander = await registry.create("content", "Bystander", {})
    async with cdb.read() as conn:
        c = await store.load_latest(conn, contested.id)
        b = await store.load_latest(conn, bystander.id)
    assert c is not None and b is not None
    committer = group_commit(cdb)
    results = await asyncio.gather(
        committer.commit(status_job(c, "archived")),
        committer.commit(status_job(c, "pending_review")),
        committer.commit(status_job(b, "archived")),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ArtifactConflictError)
    assert (await registry.get(contested.id)).status.value == "archived"  # type: ignore[union-attr]
    assert (await registry.get(bystander.id)).status.value == "archived"  # type: ignore[union-attr]


async def test_an_insert_error_reaches_only_its_job(cdb: CountingDatabase) -> None:
    registry = ArtifactRegistry(cdb)
    existing = await registry.create("content", "Existing", {})
    fresh = Artifact(name="Fresh")

    def insert(artifact: Artifact) -> WriteJob:
        return WriteJob(
            inserts=[(artifacts, [store.row_values(artifact, version_seq=1, is_latest=True)])]
        )

    committer = group_commit(cdb)
    results = await asyncio.gather(
        committer.commit(insert(existing)),  # same id and version: primary key violation
        committer.commit(insert(fresh)),
        return_exceptions=True,
    )
    assert isinstance(results[0], IntegrityError)
    assert results[1] is None
    assert await registry.get(fresh.id) is not None


async def test_concurrent_reads_get_equal_but_separate_objects(db: Database) -> None:
    registry = ArtifactRegistry(db)
    a = await registry.create("content", "Shared", {"k": [1]}, tags=["t"])
    first, second, missing = await asyncio.gather(
        registry.get(a.id), registry.get(a.id), registry.get("art_x")
    )
    assert first == second == a and missing is None
    assert first is not second
    first.tags.append("mutated")  # type: ignore[union-attr]
    first.content["k"].append(2)  # type: ignore[union-attr]
    assert second.tags == ["t"] and second.content == {"k": [1]}  # type: ignore[union-attr]


class CountingRubrics:
    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0

    async def get(self, rubric_id: str) -> Any:
        self.calls += 1
        await asyncio.sleep(0.01)
        return await self.inner.get(rubric_id)


async def test_concurrent_reviews_share_one_rubric_lookup(db: Database) -> None:
    base = await review_registry(
        db, {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])}
    )
    counting = CountingRubrics(base.rubric_registry)
    registry = ArtifactRegistry(db, counting, base.rubric_executor, base.type_definitions)
    made = [await registry.create("quiz", f"Q{i}", FIVE) for i in range(6)]
    results = await asyncio.gather(*(registry.submit_for_review(a.id) for a in made))
    assert all(r[0]["passed"] for r in results)
    assert counting.calls == 1
    await registry.submit_for_review((await registry.create("quiz", "Later", FIVE)).id)
    assert counting.calls == 2  # no caching beyond concurrent lookups
