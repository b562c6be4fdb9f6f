"""``assay artifacts show`` of an evaluation a criterion could not complete says so (issue 14)."""

from __future__ import annotations

import asyncio

from tests.integration.artifacts.artifact_fixtures import FIVE, review_registry
from tests.unit.rubrics.rubric_builders import THREE, criterion, det, rubric
from typer.testing import CliRunner

from assay.artifacts import ArtifactTypeDefinition
from assay.cli.artifacts import app
from assay.storage import Database


async def test_show_names_the_criterion_that_could_not_be_evaluated(
    db: Database, db_url: str
) -> None:
    mixed = rubric(
        criterion("count", det("scoring:check_question_count"), spec=THREE, weight=0.4),
        criterion("depth", det("nowhere.scoring:depth"), spec=THREE, weight=0.6),
        id="mixed",
        threshold=0.5,
    )
    registry = await review_registry(
        db, {"quiz": ArtifactTypeDefinition(id="quiz", rubrics=["mixed"])}, rubrics=[mixed]
    )
    artifact = await registry.create("quiz", "Biology Quiz", FIVE)
    [evaluation] = await registry.submit_for_review(artifact.id)
    assert round(evaluation["weighted_score"], 6) == 0.7 and evaluation["status"] == "incomplete"

    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["show", artifact.id, "--database-url", db_url]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "**Result:** incomplete: criterion depth could not be evaluated: " in out
    assert "module 'nowhere.scoring' is not allowed" in out
    assert "**Score:** 70.0% (of the criteria that could be evaluated)" in out
    assert "FAILED" not in out
