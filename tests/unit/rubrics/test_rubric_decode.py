"""LLM decode helpers: prompt rendering in a sandbox, system message, answer parsing, voting."""

from __future__ import annotations

import json

import pytest
from jinja2.exceptions import SecurityError

from assay.rubrics import (
    RubricCriterion,
    RubricLevel,
    ScoringMethod,
    ScoringType,
    parse_level_response,
)
from assay.rubrics.decode import (
    batch_output_schema,
    build_decode_system_message,
    invocation_record,
    majority_level,
    prompt_hash,
    rationale,
    render_decode_prompt,
    sha256_text,
)

LEVELS = ["fail", "pass", "excellent"]

SEED_PROMPT = """Evaluate the following questions for pedagogical quality:

{% for q in questions %}
- {{ q }}
{% endfor %}

Consider: Are the questions age-appropriate? Do they test understanding vs. memorization?
"""


@pytest.mark.parametrize(
    ("text", "level", "how"),
    [
        ('{"level_id": "pass"}', "pass", "json"),
        ('  {"level_id": "excellent", "reasoning": "clear"}\n', "excellent", "json"),
        ('"fail"', "fail", "json"),
        ('{"level": "pass"}', "pass", "json"),
        ('{"level_id": "PASS"}', "pass", "json"),
        ('```json\n{"level_id": "pass"}\n```', "pass", "fenced_json"),
        ('Here you go:\n```\n{"level_id": "fail"}\n```\nThanks', "fail", "fenced_json"),
        ('I think {"level_id": "excellent"} fits best.', "excellent", "embedded_json"),
        ("pass", "pass", "text"),
        ("Pass.", "pass", "text"),
        ("**excellent**", "excellent", "text"),
        ("The content deserves the level excellent overall", "excellent", "text"),
        ("Level: fail", "fail", "text"),
    ],
)
def test_parse_level_response(text: str, level: str, how: str) -> None:
    parsed = parse_level_response(text, LEVELS)
    assert parsed is not None
    assert (parsed.level_id, parsed.how) == (level, how)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        '{"level_id": "great"}',  # JSON naming no level: not re-read as text
        '{"answer": "pass"}',  # JSON object with no level key
        "It is not a fail, it is a pass",  # two levels named: ambiguous
        "passing grade",  # not a whole word
        "I cannot decide.",
    ],
)
def test_unparseable_answers(text: str | None) -> None:
    assert parse_level_response(text, LEVELS) is None


def test_level_ids_with_underscores_and_case_collisions() -> None:
    assert parse_level_response("too_high", ["too_low", "too_high", "pass"]).level_id == "too_high"  # type: ignore[union-attr]
    # ids equal ignoring case are only matched exactly
    assert parse_level_response('{"level_id": "a"}', ["a", "A"]).level_id == "a"  # type: ignore[union-attr]
    assert parse_level_response('{"level_id": "a "}', ["A", "B"]).level_id == "A"  # type: ignore[union-attr]


def test_rationale_becomes_evidence() -> None:
    assert rationale({"level_id": "pass", "reasoning": " clear ", "evidence": ["a", "b"]}) == [
        "clear",
        "a",
        "b",
    ]
    assert rationale(None) == []


def test_seed_prompt_renders_with_target_keys() -> None:
    text = render_decode_prompt(
        SEED_PROMPT, {"questions": ["What is 2+2?", "Why is the sky blue?"]}
    )
    assert "- What is 2+2?" in text and "- Why is the sky blue?" in text
    assert render_decode_prompt("{{ target.a }}/{{ a }}", {"a": 1}) == "1/1"


def test_no_template_sends_the_target_as_json() -> None:
    text = render_decode_prompt(None, {"b": 1, "a": [1]})
    assert json.loads(text.split("\n\n", 1)[1]) == {"a": [1], "b": 1}


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ questions.__class__.__init__.__globals__ }}",
        "{{ questions.append.__self__.__class__.__base__ }}",
    ],
)
def test_prompt_rendering_is_sandboxed(template: str) -> None:
    with pytest.raises(SecurityError):
        render_decode_prompt(template, {"questions": []})


def test_system_message_lists_levels_descriptions_and_indicators() -> None:
    criterion = RubricCriterion(
        id="pedagogy",
        name="Pedagogical Quality",
        description="Questions test understanding",
        weight=1.0,
        levels=[
            RubricLevel(id="fail", label="Fail", description="Rote recall only", score=0.0),
            RubricLevel(
                id="pass",
                label="Pass",
                description="Mostly tests understanding",
                score=1.0,
                indicators=["Asks why", "Age-appropriate"],
            ),
        ],
        scoring_method=ScoringMethod(type=ScoringType.LLM_DECODE, decode_prompt=SEED_PROMPT),
    )
    schema = {
        "type": "object",
        "properties": {"level_id": {"type": "string"}},
        "required": ["level_id"],
    }
    text = build_decode_system_message(criterion, output_schema=schema)
    for fragment in [
        "Pedagogical Quality",
        "Questions test understanding",
        "- fail: Rote recall only",
        "- pass: Mostly tests understanding",
        "Indicators: Asks why; Age-appropriate",
        '{"level_id": "<id>"}',
        "one of: fail, pass.",
        '"required":["level_id"]',
    ]:
        assert fragment in text


@pytest.mark.parametrize(
    ("votes", "samples", "winner", "agreement"),
    [
        (["pass"], 1, "pass", 1.0),
        (["pass", "pass", "fail"], 3, "pass", 2 / 3),
        (["pass", "fail"], 2, "fail", 0.5),  # tie -> lower-scoring level
        (["excellent", "pass"], 2, "pass", 0.5),
        (["pass", None, None], 3, "pass", 1 / 3),  # unparseable samples count against agreement
        ([None, None], 2, None, 0.0),
        (["excellent", "excellent", "fail", "fail", "pass"], 5, "fail", 0.4),
    ],
)
def test_majority_level(
    votes: list[str | None], samples: int, winner: str | None, agreement: float
) -> None:
    got, ratio, _counts = majority_level(
        votes, scores={"fail": 0.0, "pass": 0.7, "excellent": 1.0}, samples=samples
    )
    assert got == winner
    assert ratio == pytest.approx(agreement)


def test_prompt_hash_covers_system_user_and_parameters() -> None:
    base = prompt_hash("s", "u", {"temperature": 0.0})
    assert base == prompt_hash("s", "u", {"temperature": 0.0})
    assert (
        len(
            {
                base,
                prompt_hash("s2", "u", {"temperature": 0.0}),
                prompt_hash("s", "u2", {"temperature": 0.0}),
                prompt_hash("s", "u", {"temperature": 0.5}),
            }
        )
        == 4
    )


def test_invocation_record_fields() -> None:
    record = invocation_record(
        model="m",
        system="s",
        user="u",
        parameters={"temperature": None},
        responses=["a", "b"],
        usages=[{"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}] * 2,
        votes={"pass": 2},
    )
    assert record["model"] == "m"
    assert record["prompt_hash"] == prompt_hash("s", "u", {"temperature": None})
    assert record["response_hashes"] == [sha256_text("a"), sha256_text("b")]
    assert record["response_hash"] == sha256_text(sha256_text("a") + "\n" + sha256_text("b"))
    assert record["usage"] == {"prompt_tokens": 6, "completion_tokens": 2, "total_tokens": 8}
    assert record["samples"] == 2 and record["votes"] == {"pass": 2}
    assert record["timestamp"].endswith("Z")


def test_batch_output_schema_enumerates_levels() -> None:
    c = RubricCriterion(
        id="c",
        name="C",
        description="",
        weight=1,
        levels=[
            RubricLevel(id="no", label="No", description="", score=0),
            RubricLevel(id="yes", label="Yes", description="", score=1),
        ],
        scoring_method=ScoringMethod(type=ScoringType.LLM_DECODE),
    )
    schema = batch_output_schema([c])
    assert schema["required"] == ["c"]
    assert schema["properties"]["c"]["properties"]["level_id"]["enum"] == ["no", "yes"]
