"""Name resolution (sandboxed Jinja2) and content extraction of the wizard transforms."""

from __future__ import annotations

from typing import Any

import pytest

from assay.artifacts import ArtifactValidationError, TransformContext, create_artifact
from assay.artifacts.transforms import extract_content, resolve_name


@pytest.mark.parametrize(
    ("data", "config", "name"),
    [
        ({"title": "My Quiz"}, {"name_template": "Quiz: {{ title }}"}, "Quiz: My Quiz"),
        ({"title": "x", "name": "N"}, {}, "N"),
        ({"lesson_title": "Cells"}, {"name_field": "lesson_title"}, "Cells"),
        ({}, {}, "Untitled"),
        ({"name": "N"}, {"name_template": "{{ missing }}"}, "N"),  # undefined -> fallback
        ({"name": "N"}, {"name_template": "{{ ''.__class__.__mro__ }}"}, "N"),  # sandbox
        (
            {"name": "N"},
            {
                "name_template": "{{ title.__init__.__globals__ }}",
            },
            "N",
        ),
        ({"name": "N"}, {"name_template": "{% for %}"}, "N"),  # syntax error
        ({"name": "N", "t": "  "}, {"name_template": "{{ t }}"}, "N"),  # blank render
        ({"items": [1, 2]}, {"name_template": "{{ items | length }} items"}, "2 items"),
    ],
)
def test_resolve_name(data: dict[str, Any], config: dict[str, Any], name: str) -> None:
    assert resolve_name(data, config) == name


def test_sandbox_refuses_unsafe_attribute_access() -> None:
    class Secret:
        _token = "s3cret"

    assert (
        resolve_name({"obj": Secret(), "name": "safe"}, {"name_template": "{{ obj._token }}"})
        == "safe"
    )


@pytest.mark.parametrize(
    ("data", "config", "content"),
    [
        (
            {"title": "T", "questions": ["Q1"], "_artifact_id": "a"},
            {},
            {"title": "T", "questions": ["Q1"]},
        ),
        (
            {"title": "T", "questions": ["Q1"]},
            {"content_fields": ["questions"]},
            {"questions": ["Q1"]},
        ),
        ({"title": "T"}, {"content_fields": ["questions"]}, {}),
    ],
)
def test_extract_content(
    data: dict[str, Any], config: dict[str, Any], content: dict[str, Any]
) -> None:
    assert extract_content(data, config) == content


async def test_transform_without_registry_names_the_field() -> None:
    with pytest.raises(ArtifactValidationError) as info:
        await create_artifact({}, TransformContext())
    assert info.value.field == "context.artifact_registry"


def test_transform_context_defaults() -> None:
    c = TransformContext()
    assert (c.artifact_registry, c.rubric_registry, c.rubric_executor, c.generator_registry) == (
        None,
    ) * 4
    assert (c.config, c.user_id, c.session_id) == ({}, None, None)
