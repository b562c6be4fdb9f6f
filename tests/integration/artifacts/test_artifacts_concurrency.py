"""Two processes (two Database objects on one URL) change one artifact at once from the same
``expected_version``: exactly one wins, the other gets ArtifactConflictError, and nothing of
the loser's write remains. (Without ``expected_version`` both land one after the other: see
test_artifacts_serialize.py.)

Both registries read before either writes: a Database whose write transactions wait on a
shared barrier holds each writer between its read and its write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection
from tests.integration.artifacts.artifact_fixtures import FIVE, executor

from assay.artifacts import (
    ArtifactConflictError,
    ArtifactRegistry,
    ArtifactStatus,
    ArtifactTypeDefinition,
)
from assay.storage import Database

S = ArtifactStatus


class BarrierDatabase(Database):
    """A Database whose next write transaction first waits on ``barrier``."""

    barrier: asyncio.Barrier | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        barrier, self.barrier = self.barrier, None
        if barrier is not None:
            await asyncio.wait_for(barrier.wait(), timeout=30)
        async with super().transaction() as conn:
            yield conn


async def two_processes(db_url: str) -> tuple[BarrierDatabase, BarrierDatabase]:
    first = await BarrierDatabase.connect(db_url, upgrade=False)
    second = await BarrierDatabase.connect(db_url, upgrade=False)
    assert isinstance(first, BarrierDatabase) and isinstance(second, BarrierDatabase)
    return first, second


Op = Callable[[ArtifactRegistry, str], Awaitable[Any]]

OPS: dict[str, Op] = {
    "revise": lambda r, aid: r.revise(
        aid, {"v": id(r)}, "race", "user:x", expected_version="1.0.0"
    ),
    "pending": lambda r, aid: r.set_status(aid, S.PENDING_REVIEW, expected_version="1.0.0"),
    "archive": lambda r, aid: r.set_status(aid, S.ARCHIVED, expected_version="1.0.0"),
    "review": lambda r, aid: r.submit_for_review(aid),
}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("revise", "revise"),
        ("pending", "pending"),
        ("revise", "archive"),
        ("review", "review"),
        ("review", "revise"),
    ],
)
async def test_exactly_one_writer_wins(db_url: str, first: str, second: str) -> None:
    a_db, b_db = await two_processes(db_url)
    try:
        from tests.integration.artifacts.artifact_fixtures import quiz_rubric

        from assay.rubrics import RubricRegistry

        await RubricRegistry(a_db).register(quiz_rubric())
        types = {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])}
        a = ArtifactRegistry(a_db, RubricRegistry(a_db), executor(), types)
        b = ArtifactRegistry(b_db, RubricRegistry(b_db), executor(), types)
        artifact = await a.create("quiz", "Race", FIVE)
        barrier = asyncio.Barrier(2)
        a_db.barrier = b_db.barrier = barrier
        results = await asyncio.gather(
            OPS[first](a, artifact.id), OPS[second](b, artifact.id), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], ArtifactConflictError), errors[0]
        assert "changed by another writer" in str(errors[0])
        winner = 0 if not isinstance(results[0], BaseException) else 1
        op = (first, second)[winner]
        versions = await a.list_versions(artifact.id)
        latest = versions[-1]
        expected = {
            "revise": ("1.0.1", S.DRAFT),
            "pending": ("1.0.0", S.PENDING_REVIEW),
            "archive": ("1.0.0", S.ARCHIVED),
            "review": ("1.0.0", S.IN_REVIEW),  # the loser conflicted; see below for review
        }[op]
        assert len(versions) == (2 if op == "revise" else 1)
        if op == "review":
            # The winner's review went on to completion.
            assert latest.status is S.APPROVED
            assert len(await a.get_evaluations(artifact.id)) == 1
        else:
            assert (latest.version, latest.status) == expected
    finally:
        await a_db.close()
        await b_db.close()


async def test_conflict_rolls_back_the_losers_whole_write(db_url: str) -> None:
    """A losing revise leaves no new version and no superseded old one."""
    a_db, b_db = await two_processes(db_url)
    try:
        a, b = ArtifactRegistry(a_db), ArtifactRegistry(b_db)
        artifact = await a.create("content", "Race", {"v": 0})
        a_db.barrier = b_db.barrier = asyncio.Barrier(2)
        results = await asyncio.gather(
            a.revise(artifact.id, {"v": "a"}, "r", "a", expected_version="1.0.0"),
            b.revise(artifact.id, {"v": "b"}, "r", "b", expected_version="1.0.0"),
            return_exceptions=True,
        )
        winner = next(r for r in results if not isinstance(r, BaseException))
        versions = await b.list_versions(artifact.id)
        assert [(v.version, v.status) for v in versions] == [
            ("1.0.0", S.SUPERSEDED),
            ("1.0.1", S.DRAFT),
        ]
        assert versions[1].content == winner.content
    finally:
        await a_db.close()
        await b_db.close()


async def test_sequential_writers_do_not_conflict(db_url: str) -> None:
    a_db, b_db = await two_processes(db_url)
    try:
        a, b = ArtifactRegistry(a_db), ArtifactRegistry(b_db)
        artifact = await a.create("content", "Seq", {"v": 0})
        await a.revise(artifact.id, {"v": 1}, "r", "a")
        revised = await b.revise(artifact.id, {"v": 2}, "r", "b")
        assert revised.version == "1.0.2"
    finally:
        await a_db.close()
        await b_db.close()
