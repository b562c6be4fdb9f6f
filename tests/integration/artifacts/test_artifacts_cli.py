"""``assay artifacts show ID``: provenance chain and latest evaluation, through the Typer app."""

from __future__ import annotations

import asyncio
import json

from tests.integration.artifacts.artifact_fixtures import TWO, review_registry
from typer.testing import CliRunner, Result

from assay.artifacts import ArtifactTypeDefinition
from assay.artifacts.provenance import SourceReference, create_provenance
from assay.cli.artifacts import app
from assay.storage import Database


async def invoke(*args: str) -> Result:
    """Run the CLI in a thread (it calls asyncio.run itself)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def seeded(db: Database) -> str:
    registry = await review_registry(
        db, {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["quiz_quality"])}
    )
    provenance = create_provenance(
        "bot:quizbot", "generator", creation_context={"topic": "biology"}
    )
    provenance.sources.append(SourceReference(source_id="doc_123", source_type="document"))
    artifact = await registry.create("quiz", "Biology Quiz", TWO, provenance=provenance)
    await registry.submit_for_review(artifact.id)
    await registry.revise(artifact.id, {"questions": ["Q"] * 5}, "more questions", "user:jane")
    return artifact.id


async def test_show_prints_provenance_and_latest_evaluation(db: Database, db_url: str) -> None:
    artifact_id = await seeded(db)
    result = await invoke("show", artifact_id, "--database-url", db_url)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "# Biology Quiz" in out
    assert "**Version:** 1.0.1" in out and "**Status:** draft" in out
    assert "- v1.0.0 superseded" in out and "- v1.0.1 draft" in out
    assert "**Created by:** bot:quizbot" in out and "- **topic:** biology" in out
    assert "- **document:** doc_123" in out
    assert "Reason: more questions" in out and "Triggered by: user:jane" in out
    assert "**Latest evaluation:** eval_" in out and " of v1.0.0 " in out
    assert "**Rubric:** quiz_quality (v1.0.0)" in out and "**Result:** FAILED" in out
    assert out.index("## Provenance") < out.index("## Evaluation Summary")


async def test_show_json(db: Database, db_url: str) -> None:
    artifact_id = await seeded(db)
    result = await invoke("show", artifact_id, "--database-url", db_url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["artifact"]["id"] == artifact_id and data["versions"] == ["1.0.0", "1.0.1"]
    assert [e["rubric_id"] for e in data["evaluations"]] == ["quiz_quality"]


async def test_show_missing_artifact_exits_1(db: Database, db_url: str) -> None:
    result = await invoke("show", "art_nope", "--database-url", db_url)
    assert result.exit_code == 1
    assert "art_nope" in result.output


async def test_show_without_evaluation(db: Database, db_url: str) -> None:
    registry = await review_registry(db)
    artifact = await registry.create("content", "Fresh", {})
    result = await invoke("show", artifact.id, "--database-url", db_url)
    assert result.exit_code == 0
    assert "No evaluation yet." in result.output
