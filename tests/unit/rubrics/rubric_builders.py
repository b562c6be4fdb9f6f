"""Small builders of rubrics for the rubric unit tests."""

from __future__ import annotations

from typing import Any

from assay.rubrics import Rubric, RubricCriterion, RubricLevel, ScoringMethod, ScoringType

PASS_FAIL = [("fail", 0.0), ("pass", 1.0)]
THREE = [("fail", 0.0), ("pass", 0.7), ("excellent", 1.0)]


def levels(spec: list[tuple[str, float]] = PASS_FAIL) -> list[RubricLevel]:
    return [
        RubricLevel(id=lid, label=lid.title(), description=f"{lid} work", score=score)
        for lid, score in spec
    ]


def det(ref: str) -> ScoringMethod:
    return ScoringMethod(type=ScoringType.DETERMINISTIC, function_ref=ref)


def llm(prompt: str | None = "Rate: {{ text }}") -> ScoringMethod:
    return ScoringMethod(type=ScoringType.LLM_DECODE, decode_prompt=prompt)


def criterion(
    cid: str,
    method: ScoringMethod,
    *,
    weight: float = 1.0,
    spec: list[tuple[str, float]] = PASS_FAIL,
    required: bool = True,
    **kw: Any,
) -> RubricCriterion:
    return RubricCriterion(
        id=cid,
        name=kw.pop("name", cid.replace("_", " ").title()),
        description=kw.pop("description", f"measures {cid}"),
        weight=weight,
        levels=levels(spec),
        scoring_method=method,
        required=required,
        **kw,
    )


def rubric(*criteria: RubricCriterion, threshold: float = 0.7, **kw: Any) -> Rubric:
    return Rubric(
        id=kw.pop("id", "r1"),
        name=kw.pop("name", "R One"),
        description=kw.pop("description", "a test rubric"),
        version=kw.pop("version", "1.0.0"),
        target_type=kw.pop("target_type", "content"),
        criteria=list(criteria),
        pass_threshold=threshold,
        **kw,
    )


def check_clarity(content: dict[str, Any]) -> str:
    """A scoring function of an allowed module (``tests.unit.rubrics``), for file checks."""
    return "pass" if content.get("text") else "fail"
