"""RubricRegistry on SQLite and PostgreSQL: versions, latest pointer, owners, concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, llm, rubric

from assay.rubrics import (
    DatabaseEvaluationCache,
    RubricConflictError,
    RubricEvaluation,
    RubricExecutor,
    RubricNotFoundError,
    RubricRegistry,
    RubricValidationError,
    RubricVersionExistsError,
)
from assay.rubrics.tables import rubric_versions
from assay.storage import Database


def content_quality(version: str = "1.0.0", threshold: float = 0.7, **kw: Any) -> Any:
    return rubric(
        criterion("clarity", det("myapp.scoring:check_clarity"), spec=THREE),
        id=kw.pop("id", "content_quality"),
        version=version,
        threshold=threshold,
        **kw,
    )


async def test_register_and_get(db: Database) -> None:
    registry = RubricRegistry(db)
    original = content_quality()
    assert await registry.register(original) == "content_quality"
    assert await registry.get("content_quality") == original
    assert await registry.get("content_quality", version="1.0.0") == original
    assert await registry.get("content_quality", version="9.9.9") is None
    assert await registry.get("nope") is None


async def test_same_content_again_is_idempotent(db: Database) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality())
    await registry.register(content_quality())
    assert await registry.list_versions("content_quality") == ["1.0.0"]


async def test_versions_are_immutable(db: Database) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality())
    with pytest.raises(RubricVersionExistsError, match="immutable"):
        await registry.register(content_quality(threshold=0.9))
    stored = await registry.get("content_quality", version="1.0.0")
    assert stored is not None and stored.pass_threshold == 0.7


async def test_seed_update_bumps_the_latest_version(db: Database) -> None:
    registry = RubricRegistry(db)
    rubric_v = content_quality()
    await registry.register(rubric_v)
    rubric_v.version = "1.1.0"
    rubric_v.pass_threshold = 0.8
    await registry.update(rubric_v)
    latest = await registry.get("content_quality")
    assert latest is not None and (latest.version, latest.pass_threshold) == ("1.1.0", 0.8)
    old = await registry.get("content_quality", version="1.0.0")
    assert old is not None and old.pass_threshold == 0.7
    assert await registry.list_versions("content_quality") == ["1.0.0", "1.1.0"]
    assert await registry.latest_version("content_quality") == "1.1.0"


@pytest.mark.parametrize(
    ("version", "expected", "error", "match"),
    [
        ("1.0.0", None, RubricVersionExistsError, "already exists"),  # same version, other content
        ("0.9.0", None, RubricConflictError, "must be greater"),
        ("1.1.0", "0.1.0", RubricConflictError, "not the expected"),
    ],
)
async def test_update_rules(
    db: Database, version: str, expected: str | None, error: type, match: str
) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality())
    with pytest.raises(error, match=match):
        await registry.update(content_quality(version, threshold=0.9), expected_version=expected)
    assert await registry.list_versions("content_quality") == ["1.0.0"]


async def test_update_of_unknown_rubric(db: Database) -> None:
    with pytest.raises(RubricNotFoundError):
        await RubricRegistry(db).update(content_quality("2.0.0"))


async def test_update_with_unchanged_latest_is_a_no_op(db: Database) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality())
    assert await registry.update(content_quality()) == "content_quality"


async def test_registering_an_older_version_keeps_the_latest(db: Database) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality("1.2.0"))
    await registry.register(content_quality("1.0.0", threshold=0.6))
    assert await registry.latest_version("content_quality") == "1.2.0"
    await registry.register(content_quality("1.10.0", threshold=0.5))
    assert await registry.latest_version("content_quality") == "1.10.0"
    assert await registry.list_versions("content_quality") == ["1.0.0", "1.2.0", "1.10.0"]


async def test_delete_keeps_versions(db: Database) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality())
    assert await registry.delete("content_quality") is True
    assert await registry.delete("content_quality") is False
    assert await registry.get("content_quality") is None
    assert await registry.get("content_quality", version="1.0.0") is not None
    assert await registry.list_versions("content_quality") == ["1.0.0"]
    assert await registry.list_all() == []
    with pytest.raises(RubricNotFoundError):
        await registry.update(content_quality("1.1.0"))
    await registry.register(content_quality())  # re-registering restores the pointer
    assert (await registry.get("content_quality")) == content_quality()


async def test_get_for_target_and_list_all(db: Database) -> None:
    registry = RubricRegistry(db)
    await registry.register(content_quality(id="b_content"))
    await registry.register(content_quality(id="a_content"))
    await registry.register(content_quality(id="assess", target_type="assessment"))
    await registry.update(content_quality("1.1.0", id="a_content", threshold=0.8))
    content = await registry.get_for_target("content")
    assert [(r.id, r.version) for r in content] == [("a_content", "1.1.0"), ("b_content", "1.0.0")]
    assert [r.id for r in await registry.list_all()] == ["a_content", "assess", "b_content"]
    assert await registry.get_for_target("nothing") == []


async def test_seed_from_config(db: Database) -> None:
    seed_rubric = content_quality().to_dict()
    config = {"rubrics": [seed_rubric]}
    registry = await RubricRegistry.from_config(config, db=db)
    assert [r.id for r in await registry.list_all()] == ["content_quality"]
    bad = {"rubrics": [seed_rubric, {**seed_rubric, "id": "x", "criteria": [{"id": "c"}]}]}
    with pytest.raises(RubricValidationError) as info:
        await RubricRegistry.from_config(bad, db=db)
    assert info.value.field == "rubrics[1].criteria[0].levels"


async def test_owners_are_isolated(db: Database) -> None:
    alice = RubricRegistry(db, owner_id="u_alice")
    bob = alice.for_owner("u_bob")
    await alice.register(content_quality())
    await bob.register(content_quality(threshold=0.9))  # same id, own namespace
    assert (await alice.get("content_quality")).pass_threshold == 0.7  # type: ignore[union-attr]
    assert (await bob.get("content_quality")).pass_threshold == 0.9  # type: ignore[union-attr]
    await alice.register(content_quality(id="only_alice"))
    assert await bob.get("only_alice") is None
    assert await bob.get("only_alice", version="1.0.0") is None
    assert await bob.list_versions("only_alice") == []
    assert await bob.delete("only_alice") is False
    assert [r.id for r in await alice.list_all()] == ["content_quality", "only_alice"]
    assert await RubricRegistry(db).list_all() == []


def test_owner_id_checked() -> None:
    with pytest.raises(ValueError, match="owner_id"):
        RubricRegistry(Database.memory(), owner_id="x" * 65)


async def test_registered_rubrics_are_stored_with_content_hash(db: Database) -> None:
    r = content_quality()
    await RubricRegistry(db).register(r)
    async with db.read() as conn:
        row = (await conn.execute(sa.select(rubric_versions))).one()
    assert row.content_hash == r.content_hash() and row.owner_id == ""


# -- two processes at once ----------------------------------------------------------------
async def test_concurrent_updates_from_the_same_base_exactly_one_wins(
    db: Database, db_url: str
) -> None:
    await RubricRegistry(db).register(content_quality())
    other = await Database.connect(db_url, upgrade=False)
    try:
        results = await asyncio.gather(
            RubricRegistry(db).update(
                content_quality("1.1.0", threshold=0.8), expected_version="1.0.0"
            ),
            RubricRegistry(other).update(
                content_quality("1.2.0", threshold=0.9), expected_version="1.0.0"
            ),
            return_exceptions=True,
        )
    finally:
        await other.close()
    wins = [r for r in results if r == "content_quality"]
    losses = [r for r in results if isinstance(r, RubricConflictError)]
    assert (len(wins), len(losses)) == (1, 1), results
    latest = await RubricRegistry(db).latest_version("content_quality")
    assert await RubricRegistry(db).list_versions("content_quality") == ["1.0.0", latest]


async def test_concurrent_updates_to_the_same_new_version_exactly_one_wins(
    db: Database, db_url: str
) -> None:
    await RubricRegistry(db).register(content_quality())
    other = await Database.connect(db_url, upgrade=False)
    try:
        results = await asyncio.gather(
            RubricRegistry(db).update(content_quality("1.1.0", threshold=0.8)),
            RubricRegistry(other).update(content_quality("1.1.0", threshold=0.9)),
            return_exceptions=True,
        )
    finally:
        await other.close()
    assert sorted(type(r).__name__ for r in results) == ["RubricVersionExistsError", "str"], results
    assert await RubricRegistry(db).list_versions("content_quality") == ["1.0.0", "1.1.0"]


async def test_the_update_checks_the_row_version_it_read(db: Database, db_url: str) -> None:
    """Writer A reads the pointer, writer B moves it, then A writes: A must not win.

    On PostgreSQL both transactions overlap and A's ``UPDATE ... WHERE row_version = 1`` finds
    no row. On SQLite A's transaction holds the write lock from its first statement, so B
    waits and then sees A's version: the two run one after the other and both succeed.
    """
    await RubricRegistry(db).register(content_quality())
    read_done, go_on = asyncio.Event(), asyncio.Event()

    class PausingRegistry(RubricRegistry):
        async def _version_hash(self, conn: Any, rubric_id: str, version: str) -> str | None:
            read_done.set()
            await go_on.wait()
            return await super()._version_hash(conn, rubric_id, version)

    other = await Database.connect(db_url, upgrade=False)
    try:
        writer_a = asyncio.create_task(
            PausingRegistry(db).update(content_quality("1.1.0", threshold=0.8))
        )
        await read_done.wait()
        if db.dialect == "postgresql":
            await RubricRegistry(other).update(content_quality("1.2.0", threshold=0.9))
            go_on.set()
            with pytest.raises(RubricConflictError, match="changed by another writer"):
                await writer_a
            expected = ["1.0.0", "1.2.0"]
        else:
            writer_b = asyncio.create_task(
                RubricRegistry(other).update(content_quality("1.2.0", threshold=0.9))
            )
            go_on.set()
            assert await writer_a == "content_quality"
            assert await writer_b == "content_quality"
            expected = ["1.0.0", "1.1.0", "1.2.0"]
    finally:
        await other.close()
    assert await RubricRegistry(db).list_versions("content_quality") == expected
    assert await RubricRegistry(db).latest_version("content_quality") == "1.2.0"


async def test_concurrent_identical_registrations_both_succeed(db: Database, db_url: str) -> None:
    other = await Database.connect(db_url, upgrade=False)
    try:
        results = await asyncio.gather(
            RubricRegistry(db).register(content_quality()),
            RubricRegistry(other).register(content_quality()),
        )
    finally:
        await other.close()
    assert results == ["content_quality", "content_quality"]
    assert await RubricRegistry(db).list_versions("content_quality") == ["1.0.0"]


# -- the evaluation cache table -------------------------------------------------------------
async def test_database_evaluation_cache(db: Database) -> None:
    from assay.llm import ScriptedModel

    cache = DatabaseEvaluationCache(db)
    model = ScriptedModel(['{"level_id": "pass"}'])
    r = rubric(criterion("quality", llm(), spec=THREE))
    ex = RubricExecutor(llm=model, llm_feedback=False, cache=cache)
    first = await ex.evaluate(r, {"text": "a"}, target_id="t1")
    # a second executor (another process) on the same database is served from the table
    second = await RubricExecutor(llm=ScriptedModel([]), llm_feedback=False, cache=cache).evaluate(
        r, {"text": "a"}, target_id="t2"
    )
    assert len(model.calls) == 1
    assert second.target_id == "t2" and second.id != first.id
    assert second.criterion_results == first.criterion_results
    await cache.put("k", RubricEvaluation(rubric_id="x"))
    await cache.put("k", RubricEvaluation(rubric_id="y"))  # first stored value wins
    assert (await cache.get("k")).rubric_id == "x"  # type: ignore[union-attr]
    assert await cache.get("missing") is None
