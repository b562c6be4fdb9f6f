"""Artifact, provenance records and type definitions: the seed's field tables and examples."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from assay.artifacts import (
    Artifact,
    ArtifactStatus,
    ArtifactTypeDefinition,
    ArtifactValidationError,
    load_type_definitions,
    type_definitions_from_config,
)
from assay.artifacts.fields import bump_patch
from assay.artifacts.provenance import (
    LLMInvocation,
    ProvenanceRecord,
    RevisionRecord,
    SourceReference,
    ToolInvocation,
    create_provenance,
)

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_seed_artifact_example() -> None:
    artifact = Artifact(
        type="content",
        name="Assessment Questions",
        content={"questions": ["What is photosynthesis?", "Explain mitosis."]},
        provenance=create_provenance(created_by="bot:edubot", creation_method="generator"),
    )
    assert artifact.id.startswith("art_") and len(artifact.id) > 4
    assert artifact.version == "1.0.0"
    assert artifact.status is ArtifactStatus.DRAFT
    assert artifact.provenance.created_by == "bot:edubot"
    assert ISO_Z.match(artifact.created_at) and ISO_Z.match(artifact.updated_at)


def test_artifact_field_defaults() -> None:
    a = Artifact()
    assert (a.type, a.name, a.content, a.content_schema) == ("content", "", {}, None)
    assert (a.tags, a.rubric_ids, a.evaluation_ids, a.metadata) == ([], [], [], {})
    assert a.owner_id is None
    assert isinstance(a.provenance, ProvenanceRecord)
    assert Artifact().id != a.id


def test_artifact_round_trip() -> None:
    p = create_provenance("user:jane", "manual", creation_context={"topic": "biology"})
    p.sources.append(SourceReference(source_id="doc_1", source_type="document", confidence=0.5))
    p.revision_history.append(RevisionRecord(previous_version="1.0.0", reason="clarity"))
    a = Artifact(
        type="quiz",
        name="Q",
        version="1.2.3",
        status=ArtifactStatus.APPROVED,
        content={"q": [1, 2]},
        content_schema="schema:quiz",
        provenance=p,
        tags=["a"],
        rubric_ids=["r"],
        evaluation_ids=["eval_1"],
        metadata={"tenant": "t"},
        owner_id="u1",
    )
    data = a.to_dict()
    assert data["status"] == "approved"
    assert Artifact.from_dict(data) == a


def test_status_given_as_value_is_converted() -> None:
    assert Artifact(status="in_review").status is ArtifactStatus.IN_REVIEW  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"type": ""}, "type"),
        ({"version": "1.0"}, "version"),
        ({"version": "v1.0.0"}, "version"),
        ({"status": "done"}, "status"),
        ({"content": ["not", "a", "dict"]}, "content"),
        ({"content": {"x": object()}}, "content"),
        ({"tags": "one"}, "tags"),
        ({"tags": ["ok", 3]}, "tags[1]"),
        ({"rubric_ids": [None]}, "rubric_ids[0]"),
        ({"provenance": {"created_by": "x"}}, "provenance"),
    ],
)
def test_artifact_bad_fields_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ArtifactValidationError) as info:
        Artifact(**kwargs)
    assert info.value.field == field


def test_from_dict_names_nested_field() -> None:
    with pytest.raises(ArtifactValidationError) as info:
        Artifact.from_dict(
            {"provenance": {"sources": [{"source_id": "d", "source_type": "x", "confidence": 2}]}}
        )
    assert info.value.field == "provenance.sources[0].confidence"


def test_seed_provenance_example() -> None:
    provenance = create_provenance(
        created_by="system:generator:quiz_gen_v1", creation_method="generator"
    )
    provenance.sources.append(
        SourceReference(
            source_id="doc_123",
            source_type="document",
            source_location="/docs/biology.md",
            relevance="Source material for questions",
            confidence=0.95,
        )
    )
    provenance.tool_chain.append(
        ToolInvocation(
            tool_name="quiz_generator",
            tool_version="2.1.0",
            parameters={"topic": "biology", "count": 10},
        )
    )
    provenance.llm_invocations.append(
        LLMInvocation(purpose="generate_context", model="llama3.2", prompt_hash="a1b2c3d4")
    )
    again = ProvenanceRecord.from_dict(provenance.to_dict())
    assert again == provenance
    assert again.sources[0].confidence == 0.95
    assert again.tool_chain[0].parameters == {"topic": "biology", "count": 10}
    assert again.llm_invocations[0].model == "llama3.2"


def test_provenance_record_defaults() -> None:
    p = ProvenanceRecord()
    assert (p.created_by, p.creation_method, p.creation_context) == ("", "", {})
    assert p.sources == p.tool_chain == p.llm_invocations == p.revision_history == []
    assert p.review_history == []
    assert ISO_Z.match(p.created_at)


def test_create_provenance_kwargs() -> None:
    p = create_provenance("bot:edubot", "generator", creation_context={"topic": "biology"})
    assert (p.created_by, p.creation_method, p.creation_context) == (
        "bot:edubot",
        "generator",
        {"topic": "biology"},
    )
    with pytest.raises(TypeError):
        create_provenance("a", "b", no_such_field=1)


def test_source_reference_defaults() -> None:
    s = SourceReference(source_id="d", source_type="document")
    assert (s.source_location, s.relevance, s.excerpt, s.confidence) == (None, "", None, 1.0)


def test_tool_and_llm_invocation_defaults() -> None:
    t = ToolInvocation(tool_name="gen")
    assert (t.tool_version, t.parameters) == (None, {})
    assert ISO_Z.match(t.timestamp)
    llm = LLMInvocation(purpose="decode_intent")
    assert (llm.model, llm.prompt_hash) == ("", "")
    assert ISO_Z.match(llm.timestamp)


def test_revision_record_defaults() -> None:
    r = RevisionRecord()
    assert r.revision_id.startswith("rev_")
    assert (r.previous_version, r.reason, r.changes_summary, r.triggered_by) == ("", "", "", "")
    assert ISO_Z.match(r.timestamp)
    assert RevisionRecord().revision_id != r.revision_id


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: SourceReference(source_id="d", source_type="doc", confidence=1.5), "confidence"),
        (lambda: SourceReference(source_id="d", source_type="doc", confidence=-0.1), "confidence"),
        (lambda: SourceReference(source_id="", source_type="doc"), "source_id"),
        (lambda: ToolInvocation(tool_name="t", parameters="x"), "parameters"),  # type: ignore[arg-type]
        (lambda: LLMInvocation(purpose=""), "purpose"),
        (lambda: SourceReference.from_dict({"source_type": "doc"}), "source_id"),
    ],
)
def test_provenance_bad_fields(build: Any, field: str) -> None:
    with pytest.raises(ArtifactValidationError) as info:
        build()
    assert info.value.field == field


# -- type definitions ---------------------------------------------------------------------


def test_seed_type_definition_example() -> None:
    t = ArtifactTypeDefinition(
        id="assessment_questions",
        description="Generated quiz questions",
        rubrics=["content_quality", "pedagogical_value"],
        auto_review=True,
        requires_approval=True,
        approval_threshold=0.8,
        tags=["assessment", "questions"],
    )
    assert t.approval_threshold == 0.8 and t.requires_approval and t.auto_review


def test_type_definition_defaults() -> None:
    t = ArtifactTypeDefinition(id="x")
    assert (t.description, t.content_schema, t.rubrics) == ("", None, [])
    assert (t.auto_review, t.requires_approval, t.approval_threshold, t.tags) == (
        False,
        False,
        0.7,
        [],
    )


def test_from_config_matches_seed_config() -> None:
    t = ArtifactTypeDefinition.from_config(
        "bot_config",
        {
            "description": "Bot configuration",
            "rubrics": ["config_validation"],
            "approval_threshold": 1.0,
        },
    )
    assert t.to_dict() == {
        "id": "bot_config",
        "description": "Bot configuration",
        "content_schema": None,
        "rubrics": ["config_validation"],
        "auto_review": False,
        "requires_approval": False,
        "approval_threshold": 1.0,
        "tags": [],
    }


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"approval_threshold": 1.5}, "artifact_types.t.approval_threshold"),
        ({"approval_threshold": "high"}, "artifact_types.t.approval_threshold"),
        ({"auto_review": "yes"}, "artifact_types.t.auto_review"),
        ({"rubrics": "one"}, "artifact_types.t.rubrics"),
        ({"rubric": ["typo"]}, "artifact_types.t.rubric"),
        ({"id": "other"}, "artifact_types.t.id"),
    ],
)
def test_bad_type_config_names_the_field(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ArtifactValidationError) as info:
        type_definitions_from_config({"artifact_types": {"t": config}})
    assert info.value.field == field


YAML_TEXT = """
artifact_types:
  assessment_questions:
    description: Generated quiz questions
    rubrics: [content_quality, pedagogical_value]
    auto_review: true
    requires_approval: true
    approval_threshold: 0.8
    tags: [assessment, questions]
  bot_config:
    description: Bot configuration
    rubrics: [config_validation]
    approval_threshold: 1.0
"""


def test_load_type_definitions_from_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    defs = load_type_definitions(path)
    assert sorted(defs) == ["assessment_questions", "bot_config"]
    assert defs["assessment_questions"].rubrics == ["content_quality", "pedagogical_value"]
    assert defs["assessment_questions"].requires_approval is True
    assert defs["bot_config"].approval_threshold == 1.0
    assert load_type_definitions(YAML_TEXT) == defs


def test_malformed_yaml_names_yaml() -> None:
    with pytest.raises(ArtifactValidationError) as info:
        load_type_definitions("artifact_types: [unclosed")
    assert info.value.field == "yaml"


@pytest.mark.parametrize(
    ("version", "bumped"), [("1.0.0", "1.0.1"), ("1.0.9", "1.0.10"), ("2.3.41", "2.3.42")]
)
def test_bump_patch(version: str, bumped: str) -> None:
    assert bump_patch(version) == bumped
