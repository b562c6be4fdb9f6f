"""``score_response`` / ``grade_response``: one response to one served item -> its score.

Rules, by item:

- ``multiple_choice`` and ``free_text``: :meth:`ItemInstance.score` (the chosen index, or the
  normalised text, against the computed key; all or nothing).
- ``code`` with test material in ``generation_params`` (``function_name``, ``tests``,
  ``timeout_s``, ``partial_credit``, written by ``generate_item`` for test-execution skills):
  :func:`assay.sandbox.grade_python_function` runs every test in one sandboxed process;
  ``score = passed / total`` with partial credit (else all or nothing) and ``correct`` iff every
  test passed. Worked example: 3 of 4 tests pass -> ``Score(correct=False, score=0.75)``.
- ``code`` without tests (an inline item): :meth:`ItemInstance.score` (normalised source against
  the reference).

The per-test outcomes returned for the results page never carry expected values
(``reveal_expected=False``): a test says ``passed``, ``returned 4``, ``raised ValueError: ...``,
``took longer than 5 s`` or ``not run: ...``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assay.items.instance import ItemInstance, Score
from assay.sandbox import CodeRunner, TestCase, TestOutcome, grade_python_function
from assay.sandbox.result import Isolation

__all__ = ["CodeTests", "GradedResponse", "code_tests", "grade_response", "score_response"]


class CodeTests(BaseModel):
    """The grading material of a code item, kept server-side in ``generation_params``.

    Attributes:
        function_name: The function the tests call, e.g. ``"count_chars"``.
        tests: The test cases (``{"input", "expected"}`` or ``args``/``kwargs``), at least one.
        timeout_s: Wall seconds per test case (the blueprint's ``timeout_seconds``).
        partial_credit: ``score = passed / total`` when true, else all or nothing.
    """

    model_config = ConfigDict(frozen=True)

    function_name: str
    tests: list[TestCase] = Field(min_length=1)
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    partial_credit: bool = True


class GradedResponse(BaseModel):
    """A scored response, with the per-test outcomes of a test-graded code item.

    Attributes:
        score: ``correct`` and the score in [0, 1].
        tests: One outcome per test case, in order (empty unless tests ran); expected values
            are never included.
        error: Why some tests did not run (the submission did not load...), or ``None``.
        isolation: How the submission was isolated (``bwrap``, ``rlimits-only``, ``none`` for a
            fake runner), or ``None`` when nothing ran.
        duration_ms: Wall time of the sandboxed run in milliseconds, or ``None``.
    """

    model_config = ConfigDict(frozen=True)

    score: Score
    tests: list[TestOutcome] = Field(default_factory=list)
    error: str | None = None
    isolation: Isolation | None = None
    duration_ms: float | None = None


def code_tests(item: ItemInstance) -> CodeTests | None:
    """The test material of a code item, or ``None`` when it is graded without tests.

    Raises:
        ValueError: the item's ``generation_params`` hold ``tests`` that are malformed (the
            message names the field, e.g. ``generation_params.tests.0.expected``).
    """
    params = item.generation_params
    if item.item_type != "code" or "tests" not in params:
        return None
    try:
        return CodeTests.model_validate(
            {k: params[k] for k in CodeTests.model_fields if k in params}
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in ("generation_params", *err["loc"]))
        raise ValueError(f"{loc}: {err['msg']} (item {item.item_id})") from None


async def grade_response(
    item: ItemInstance, response: dict[str, Any], *, runner: CodeRunner | None
) -> GradedResponse:
    """Score ``response`` to ``item`` and say how each test went (rules in the module docstring).

    Args:
        item: The served item, key and generation parameters included.
        response: The widget payload: ``{"index": i}``, ``{"text": s}`` or ``{"code": s}``.
        runner: Where code runs (``SandboxRunner``; ``FakeCodeRunner`` in tests). Needed for
            code items with tests only.

    Raises:
        assay.items.ResponseError: the payload does not fit the item's widget (names the field).
        ValueError: ``runner`` is ``None`` for a code item with tests, or its tests are
            malformed.
        assay.sandbox.SandboxError: the sandbox itself failed (not the submission's fault;
            nothing is scored).
    """
    answer = item.validate_response(response)
    material = code_tests(item)
    if material is None:
        return GradedResponse(score=item.score(answer))
    if runner is None:
        raise ValueError(f"runner: code item {item.item_id} is graded by running its tests")
    grade = await grade_python_function(
        answer["code"],
        function_name=material.function_name,
        test_cases=material.tests,
        runner=runner,
        timeout_s=material.timeout_s,
        partial_credit=material.partial_credit,
        reveal_expected=False,
    )
    return GradedResponse(
        score=Score(correct=grade.passed == grade.total, score=grade.score),
        tests=grade.outcomes,
        error=grade.error,
        isolation=grade.isolation,
        duration_ms=grade.run.duration_ms,
    )


async def score_response(
    item: ItemInstance, response: dict[str, Any], *, runner: CodeRunner | None
) -> Score:
    """``(await grade_response(item, response, runner=runner)).score``.

    Example:
        >>> import asyncio
        >>> item = ItemInstance(item_id="i", skill_id="s", stem="2 + 2?", options=["3", "4"],
        ...                     correct_index=1, correct_answer="4")
        >>> asyncio.run(score_response(item, {"index": 1}, runner=None))
        Score(correct=True, score=1.0)
    """
    return (await grade_response(item, response, runner=runner)).score
