"""ArtifactRegistry on SQLite and PostgreSQL: create, get, versions, query, revise, status,
hooks."""

from __future__ import annotations

import pytest

from assay.artifacts import (
    Artifact,
    ArtifactConflictError,
    ArtifactNotFoundError,
    ArtifactRegistry,
    ArtifactStatus,
    ArtifactTypeDefinition,
    ArtifactValidationError,
    InvalidTransitionError,
)
from assay.artifacts.provenance import create_provenance
from assay.storage import Database

S = ArtifactStatus


async def test_seed_create_example(db: Database) -> None:
    registry = ArtifactRegistry(db)
    artifact = await registry.create(
        artifact_type="content",
        name="Unit 1 Questions",
        content={"questions": ["What is 2+2?", "Explain gravity."]},
        provenance=create_provenance("bot:edubot", "generator"),
        tags=["math", "science"],
    )
    assert artifact.id.startswith("art_")
    assert artifact.status is S.DRAFT
    assert artifact.version == "1.0.0"
    stored = await registry.get(artifact.id)
    assert stored == artifact
    assert await registry.get("art_missing") is None


async def test_default_provenance_when_none(db: Database) -> None:
    artifact = await ArtifactRegistry(db).create("content", "N", {"a": 1})
    assert (artifact.provenance.created_by, artifact.provenance.creation_method) == (
        "system",
        "manual",
    )


async def test_type_defaults_merge(db: Database) -> None:
    types = {
        "assessment": ArtifactTypeDefinition(
            id="assessment",
            rubrics=["content_quality"],
            tags=["assessment", "math"],
            content_schema="schema:assessment",
        )
    }
    registry = ArtifactRegistry(db, type_definitions=types)
    artifact = await registry.create("assessment", "Quiz", {"q": 1}, tags=["math", "unit1"])
    assert artifact.tags == ["math", "unit1", "assessment"]
    assert artifact.rubric_ids == ["content_quality"]
    assert artifact.content_schema == "schema:assessment"
    plain = await registry.create("content", "C", {}, rubric_ids=["r1"])
    assert (plain.tags, plain.rubric_ids) == ([], ["r1"])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"artifact_type": "", "name": "n", "content": {}}, "artifact_type"),
        ({"artifact_type": "t", "name": " ", "content": {}}, "name"),
        ({"artifact_type": "t", "name": "n", "content": []}, "content"),
        ({"artifact_type": "t", "name": "n", "content": {}, "tags": "x"}, "tags"),
        ({"artifact_type": "t", "name": "n", "content": {}, "metadata": []}, "metadata"),
        ({"artifact_type": "t", "name": "n" * 501, "content": {}}, "name"),
        ({"artifact_type": "t" * 201, "name": "n", "content": {}}, "artifact_type"),
        ({"artifact_type": "t", "name": "n", "content": {}, "tags": ["x" * 201]}, "tags[0]"),
        ({"artifact_type": "t", "name": "n", "content": {}, "tags": [""]}, "tags[0]"),
        ({"artifact_type": "t", "name": "n", "content": {}, "owner_id": "u" * 65}, "owner_id"),
    ],
)
async def test_create_bad_input_names_the_field(db: Database, kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ArtifactValidationError) as info:
        await ArtifactRegistry(db).create(**kwargs)
    assert info.value.field == field


async def test_revise_bumps_patch_and_supersedes(db: Database) -> None:
    registry = ArtifactRegistry(db)
    original = await registry.create("content", "Q", {"questions": ["Q1"], "level": 1}, tags=["t"])
    revised = await registry.revise(
        artifact_id=original.id,
        new_content={"questions": ["Updated question 1", "New question 2"], "level": 1},
        reason="Improved question clarity after review",
        triggered_by="user:teacher_jane",
    )
    assert revised.id == original.id
    assert revised.version == "1.0.1"
    assert revised.status is S.DRAFT
    assert revised.tags == ["t"]
    record = revised.provenance.revision_history[-1]
    assert record.revision_id.startswith("rev_")
    assert (record.previous_version, record.reason, record.triggered_by) == (
        "1.0.0",
        "Improved question clarity after review",
        "user:teacher_jane",
    )
    assert record.changes_summary == "changed: questions"
    old = await registry.get_version(original.id, "1.0.0")
    assert old is not None and old.status is S.SUPERSEDED
    assert old.content == original.content and old.provenance.revision_history == []
    assert await registry.get(original.id) == revised
    assert await registry.get_version(original.id, "1.0.1") == revised
    assert await registry.get_version(original.id, "9.9.9") is None
    again = await registry.revise(original.id, {"x": 1}, "r", "user:j")
    assert again.version == "1.0.2"
    assert len(again.provenance.revision_history) == 2
    assert [v.version for v in await registry.list_versions(original.id)] == [
        "1.0.0",
        "1.0.1",
        "1.0.2",
    ]
    assert [v.status for v in await registry.list_versions(original.id)] == [
        S.SUPERSEDED,
        S.SUPERSEDED,
        S.DRAFT,
    ]


@pytest.mark.parametrize(
    ("path", "revisable"),
    [
        ([], True),
        (["pending_review"], False),
        (["pending_review", "in_review"], False),
        (["pending_review", "in_review", "needs_revision"], True),
        (["pending_review", "in_review", "approved"], True),
        (["pending_review", "in_review", "rejected"], False),
        (["archived"], False),
    ],
)
async def test_revise_needs_a_status_that_can_be_superseded(
    db: Database, path: list[str], revisable: bool
) -> None:
    registry = ArtifactRegistry(db)
    artifact = await registry.create("content", "Q", {})
    for status in path:
        await registry.set_status(artifact.id, S(status))
    if revisable:
        assert (await registry.revise(artifact.id, {"v": 2}, "r", "u")).version == "1.0.1"
    else:
        with pytest.raises(InvalidTransitionError):
            await registry.revise(artifact.id, {"v": 2}, "r", "u")
        latest = await registry.get(artifact.id)
        assert latest is not None and latest.version == "1.0.0"


async def test_revise_missing_and_expected_version(db: Database) -> None:
    registry = ArtifactRegistry(db)
    with pytest.raises(ArtifactNotFoundError):
        await registry.revise("art_nope", {}, "r", "u")
    a = await registry.create("content", "Q", {})
    await registry.revise(a.id, {"v": 1}, "r", "u", expected_version="1.0.0")
    with pytest.raises(ArtifactConflictError, match=r"version 1\.0\.0.*now version 1\.0\.1"):
        await registry.revise(a.id, {"v": 2}, "r", "u", expected_version="1.0.0")


async def test_set_status_follows_the_table_and_stores_reason(db: Database) -> None:
    registry = ArtifactRegistry(db)
    a = await registry.create("content", "Q", {})
    changed = await registry.set_status(
        a.id, ArtifactStatus.PENDING_REVIEW, reason="Ready for review"
    )
    assert changed.status is S.PENDING_REVIEW
    stored = await registry.get(a.id)
    assert stored is not None and stored.status is S.PENDING_REVIEW
    with pytest.raises(InvalidTransitionError):
        await registry.set_status(a.id, S.APPROVED)
    await registry.set_status(a.id, "archived")  # type: ignore[arg-type]
    with pytest.raises(InvalidTransitionError, match="terminal"):
        await registry.set_status(a.id, S.DRAFT)
    with pytest.raises(ArtifactNotFoundError):
        await registry.set_status("art_nope", S.ARCHIVED)
    with pytest.raises(ArtifactValidationError) as info:
        await registry.set_status(a.id, "finished")  # type: ignore[arg-type]
    assert info.value.field == "status"


async def test_query_filters(db: Database) -> None:
    registry = ArtifactRegistry(db)
    a = await registry.create("content", "A", {}, tags=["assessment", "math"])
    b = await registry.create("content", "B", {}, tags=["assessment"])
    c = await registry.create("quiz", "C", {}, tags=["assessment", "math"])
    await registry.set_status(b.id, S.PENDING_REVIEW)
    await registry.revise(a.id, {"v": 2}, "r", "u")  # latest of a is 1.0.1, draft

    def ids(found: list[Artifact]) -> set[str]:
        return {x.id for x in found}

    assert ids(await registry.query(artifact_type="content")) == {a.id, b.id}
    assert ids(await registry.query(status=ArtifactStatus.DRAFT)) == {a.id, c.id}
    assert ids(await registry.query(tags=["math"])) == {a.id, c.id}
    assert ids(await registry.query(tags=["math", "assessment"])) == {a.id, c.id}
    assert ids(await registry.query(tags=["math", "nope"])) == set()
    assert ids(
        await registry.query(
            artifact_type="content", status=ArtifactStatus.PENDING_REVIEW, tags=["assessment"]
        )
    ) == {b.id}
    assert ids(await registry.query(status=S.SUPERSEDED)) == set()  # only latest versions
    everything = await registry.query()
    assert len(everything) == 3
    assert [x.version for x in everything if x.id == a.id] == ["1.0.1"]
    assert len(await registry.query(limit=2)) == 2
    assert len(await registry.query(limit=2, offset=2)) == 1
    with pytest.raises(ArtifactValidationError) as info:
        await registry.query(limit=-1)
    assert info.value.field == "limit"


async def test_query_by_owner(db: Database) -> None:
    registry = ArtifactRegistry(db)
    mine = await registry.create("content", "A", {}, owner_id="u1")
    await registry.create("content", "B", {}, owner_id="u2")
    assert [x.id for x in await registry.query(owner_id="u1")] == [mine.id]


async def test_hooks_fire_after_each_event(db: Database) -> None:
    registry = ArtifactRegistry(db)
    seen: list[tuple[str, str, str]] = []

    async def on_created(artifact: Artifact) -> None:
        stored = await registry.get(artifact.id)  # committed before the hook runs
        assert stored is not None
        seen.append(("create", artifact.name, artifact.status.value))

    async def on_status_changed(artifact: Artifact) -> None:
        seen.append(("status", artifact.version, artifact.status.value))

    registry.on_create(on_created)
    registry.on_status_change(on_status_changed)
    a = await registry.create("content", "Hooked", {})
    await registry.set_status(a.id, S.ARCHIVED, reason="done")
    b = await registry.create("content", "Other", {})
    await registry.revise(b.id, {"v": 2}, "r", "u")
    assert seen == [
        ("create", "Hooked", "draft"),
        ("status", "1.0.0", "archived"),
        ("create", "Other", "draft"),
        ("status", "1.0.0", "superseded"),
    ]


async def test_memory_database_works() -> None:
    db = Database.memory()
    try:
        registry = ArtifactRegistry(db)
        a = await registry.create("content", "M", {"x": 1})
        assert (await registry.get(a.id)) == a
    finally:
        await db.close()
