"""Writers without ``expected_version`` serialize; a stale ``expected_version`` conflicts.

The reference library holds a per-artifact lock around ``revise``/``set_status``, so five
concurrent ``revise()`` calls land as five successive versions. Assay does the same in one
process (a lock per artifact and database object) and across processes (the compare-and-set
is retried on a fresh read when the caller named no version). Two :class:`Database` objects
on one URL stand for two processes (SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio

import pytest

from assay.artifacts import ArtifactConflictError, ArtifactRegistry, ArtifactStatus
from assay.storage import Database

S = ArtifactStatus


async def test_five_concurrent_revises_land_as_successive_versions(db: Database) -> None:
    registry = ArtifactRegistry(db)
    artifact = await registry.create("content", "Race", {"n": 0})
    revised = await asyncio.gather(
        *(registry.revise(artifact.id, {"n": i}, f"edit {i}", "user:x") for i in range(1, 6))
    )
    assert sorted(r.version for r in revised) == [f"1.0.{i}" for i in range(1, 6)]
    versions = await registry.list_versions(artifact.id)
    assert [v.version for v in versions] == [f"1.0.{i}" for i in range(6)]
    assert [v.status for v in versions] == [S.SUPERSEDED] * 5 + [S.DRAFT]
    # Every revision is recorded once, each one based on the version before it.
    latest = versions[-1]
    history = [r.previous_version for r in latest.provenance.revision_history]
    assert history == [f"1.0.{i}" for i in range(5)]
    assert sorted(v.content["n"] for v in versions) == list(range(6))


async def test_concurrent_set_status_without_expected_version_serializes(db: Database) -> None:
    registry = ArtifactRegistry(db)
    artifact = await registry.create("content", "Race", {})
    results = await asyncio.gather(
        registry.set_status(artifact.id, S.PENDING_REVIEW, "a"),
        registry.set_status(artifact.id, S.ARCHIVED, "b"),
    )
    # Applied one after the other, each validated against the status the other left.
    assert [r.status for r in results] == [S.PENDING_REVIEW, S.ARCHIVED]
    stored = await registry.get(artifact.id)
    assert stored is not None and stored.status is S.ARCHIVED


async def test_stale_expected_version_still_conflicts_in_one_process(db: Database) -> None:
    registry = ArtifactRegistry(db)
    artifact = await registry.create("content", "Race", {})
    results = await asyncio.gather(
        *(
            registry.revise(artifact.id, {"n": i}, "r", "u", expected_version="1.0.0")
            for i in range(3)
        ),
        return_exceptions=True,
    )
    landed = [r for r in results if not isinstance(r, BaseException)]
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(landed) == 1 and landed[0].version == "1.0.1"
    assert len(errors) == 2 and all(isinstance(e, ArtifactConflictError) for e in errors)
    assert len(await registry.list_versions(artifact.id)) == 2


async def two_databases(db_url: str) -> tuple[Database, Database]:
    return (
        await Database.connect(db_url, upgrade=False),
        await Database.connect(db_url, upgrade=False),
    )


async def test_revises_from_two_processes_all_land(db_url: str) -> None:
    a_db, b_db = await two_databases(db_url)
    try:
        a, b = ArtifactRegistry(a_db), ArtifactRegistry(b_db)
        artifact = await a.create("content", "Race", {"n": 0})
        calls = [
            (a if i % 2 else b).revise(artifact.id, {"n": i}, "r", f"p{i % 2}") for i in range(1, 7)
        ]
        revised = await asyncio.gather(*calls)
        assert sorted(r.version for r in revised) == [f"1.0.{i}" for i in range(1, 7)]
        versions = await b.list_versions(artifact.id)
        assert [v.version for v in versions] == [f"1.0.{i}" for i in range(7)]
        assert [v.status for v in versions[:-1]] == [S.SUPERSEDED] * 6
        assert sum(v.status is S.DRAFT for v in versions) == 1
    finally:
        await a_db.close()
        await b_db.close()


@pytest.mark.parametrize("rounds", [3])
async def test_stale_expected_version_conflicts_across_processes(db_url: str, rounds: int) -> None:
    a_db, b_db = await two_databases(db_url)
    try:
        a, b = ArtifactRegistry(a_db), ArtifactRegistry(b_db)
        artifact = await a.create("content", "Race", {})
        for i in range(rounds):
            base = f"1.0.{i}"
            results = await asyncio.gather(
                a.revise(artifact.id, {"a": i}, "r", "a", expected_version=base),
                b.revise(artifact.id, {"b": i}, "r", "b", expected_version=base),
                return_exceptions=True,
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            assert len(errors) == 1, results
            assert isinstance(errors[0], ArtifactConflictError)
        # A sequential stale write conflicts too, naming both versions.
        with pytest.raises(ArtifactConflictError, match=r"version 1\.0\.0.*now version 1\.0\.3"):
            await b.revise(artifact.id, {}, "r", "b", expected_version="1.0.0")
        assert len(await a.list_versions(artifact.id)) == rounds + 1
    finally:
        await a_db.close()
        await b_db.close()
