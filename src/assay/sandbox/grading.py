"""Grading a Python function by running its test cases in the sandbox (seed 002 §13.5).

A programming item such as ``PYTHON_STRING_LENGTH`` is "graded by running the submission;
partial credit = share of tests passed": its ``evaluation`` has ``method="test_execution"``,
``timeout_seconds`` and ``partial_credit``, and its tests are ``{"input", "expected"}``.
``grade_python_function`` runs all of them in ONE sandboxed process through the harness
(``assay.sandbox._harness``, whose docstring gives the protocol and why forging it gains
nothing), compares the returned values with the expected ones here, on the host, and scores.
"""

from __future__ import annotations

import json
import keyword
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from assay.sandbox._harness import (
    EVENT_CASE,
    EVENT_DONE,
    EVENT_IMPORT_ERROR,
    STATUS_RAISED,
    STATUS_RETURNED,
    STATUS_TIMEOUT,
    STATUS_TOO_LARGE,
    STATUS_UNSERIALIZABLE,
    STATUSES,
    SUBMISSION_FILE,
)
from assay.sandbox.compare import partial_credit_score, values_equal
from assay.sandbox.limits import Limits
from assay.sandbox.port import CodeRunner
from assay.sandbox.result import Isolation, RunResult
from assay.sandbox.scripts import HARNESS_SCRIPT, script_text

STARTUP_ALLOWANCE_S = 2.0
"""Wall seconds allowed on top of the cases' budget for the sandbox and interpreter start."""
_MAX_TEXT_CHARS = 300


class TestCase(BaseModel):
    """One test of a function: call it, compare what it returns with ``expected``.

    Give ``input`` (one positional argument, the seed's form) or ``args`` and/or ``kwargs``.

    Raises:
        pydantic.ValidationError: Both forms, or neither.

    Example:
        >>> TestCase(input="hello", expected=5).call()
        {'args': ['hello'], 'kwargs': {}}
    """

    __test__: ClassVar[bool] = False  # not a pytest test class
    model_config = ConfigDict(frozen=True, extra="forbid")

    input: JsonValue = None
    """The single argument (seed 002 §13.5 ``example_tests``)."""
    args: list[JsonValue] | None = None
    """Positional arguments, instead of ``input``."""
    kwargs: dict[str, JsonValue] | None = None
    """Keyword arguments, instead of (or with) ``args``."""
    expected: JsonValue
    """The value the function must return (compared by ``values_equal``)."""

    @model_validator(mode="after")
    def _one_form(self) -> TestCase:
        has_input = "input" in self.model_fields_set
        has_args = self.args is not None or self.kwargs is not None
        if has_input == has_args:
            raise ValueError("give either input (one argument) or args/kwargs, not both or neither")
        return self

    def call(self) -> dict[str, Any]:
        """``{"args": [...], "kwargs": {...}}`` as the harness receives it."""
        if "input" in self.model_fields_set:
            return {"args": [self.input], "kwargs": {}}
        return {"args": list(self.args or []), "kwargs": dict(self.kwargs or {})}


class CaseStatus(StrEnum):
    """How one test case went."""

    PASSED = "passed"
    WRONG_ANSWER = "wrong_answer"
    """Returned, but not the expected value (or not JSON data)."""
    ERROR = "error"
    """Raised an exception."""
    TIMEOUT = "timeout"
    """Took longer than the per-case ``timeout_s``."""
    NOT_RUN = "not_run"
    """The submission did not load, or the program stopped before this case."""


class TestOutcome(BaseModel):
    """The result of one test case, safe to show the student unless ``expected_json`` is set."""

    __test__: ClassVar[bool] = False  # not a pytest test class
    model_config = ConfigDict(frozen=True)

    index: int
    status: CaseStatus
    message: str
    """One sentence, e.g. ``"returned 4"``; names the expected value only when revealed."""
    actual: str | None = None
    """``repr`` of the returned value (truncated), when the function returned."""
    expected_json: str | None = None
    """The expected value as JSON text, only with ``reveal_expected=True``."""
    duration_ms: float | None = None
    """Time the call took inside the sandbox, in milliseconds."""


class GradeResult(BaseModel):
    """The grade of one submission: ``score = passed / total`` with partial credit."""

    model_config = ConfigDict(frozen=True)

    passed: int = Field(ge=0)
    total: int = Field(ge=1)
    score: float = Field(ge=0.0, le=1.0)
    """See ``partial_credit_score``."""
    outcomes: list[TestOutcome]
    """One per test case, in order."""
    error: str | None = None
    """Why some cases did not run (the submission did not load, the program stopped early,
    the grading channel was tampered with), or ``None``."""
    run: RunResult
    """The sandboxed run (verdict, output, usage)."""

    @property
    def isolation(self) -> Isolation:
        """How the submission was isolated."""
        return self.run.isolation


@dataclass
class HarnessReport:
    """What the harness reported, checked against the protocol."""

    import_error: str | None = None
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    done: bool = False
    violation: str | None = None


def parse_report(stdout: str, *, nonce: str, total: int) -> HarnessReport:
    """Read the harness's records from its stdout (protocol in ``assay.sandbox._harness``).

    Lines without the ``nonce`` prefix are ignored. Allowed sequences: one ``import_error``;
    or ``case`` records for indexes 0, 1, ... in order with a known status (possibly cut
    short), then ``done`` once all ``total`` are in. Anything else sets ``violation`` and the
    records are not to be trusted.
    """
    report = HarnessReport()
    prefix = f"{nonce} "
    for line in stdout.splitlines():
        if not line.startswith(prefix):
            continue
        try:
            record = json.loads(line[len(prefix) :])
            kind = record["event"]
        except (ValueError, KeyError, TypeError):
            report.violation = "a malformed record"
            return report
        expected_index = len(report.records)
        if report.done or report.import_error is not None:
            report.violation = "a record after the last one"
        elif kind == EVENT_IMPORT_ERROR and expected_index == 0:
            report.import_error = _short(str(record.get("error", "")))
        elif kind == EVENT_CASE and _valid_case(record, expected_index, total):
            report.records[expected_index] = record
        elif kind == EVENT_DONE and expected_index == total:
            report.done = True
        else:
            report.violation = f"an unexpected {str(kind)[:40]!r} record"
        if report.violation is not None:
            return report
    return report


def _valid_case(record: dict[str, Any], index: int, total: int) -> bool:
    status = record.get("status")
    return (
        type(record.get("index")) is int
        and record["index"] == index < total
        and status in STATUSES
        and (status != STATUS_RETURNED or "value" in record)
    )


def _short(text: str) -> str:
    return text if len(text) <= _MAX_TEXT_CHARS else text[: _MAX_TEXT_CHARS - 3] + "..."


def grading_limits(*, timeout_s: float, case_count: int) -> Limits:
    """Default limits for grading ``case_count`` cases of ``timeout_s`` each.

    ``wall_timeout_s = timeout_s * (case_count + 1) + STARTUP_ALLOWANCE_S`` (one budget for
    loading the submission), ``cpu_time_s = ceil(timeout_s * (case_count + 1)) + 1``, both
    capped at 3600; other limits at their defaults.

    Example:
        >>> grading_limits(timeout_s=5, case_count=3).wall_timeout_s
        22.0
    """
    budget_s = timeout_s * (case_count + 1)
    return Limits(
        wall_timeout_s=min(budget_s + STARTUP_ALLOWANCE_S, 3600.0),
        cpu_time_s=min(math.ceil(budget_s) + 1, 3600),
    )


def _outcome(
    index: int,
    case: TestCase,
    record: dict[str, Any] | None,
    *,
    not_run: str,
    timeout_s: float,
    reveal_expected: bool,
) -> TestOutcome:
    expected_json = json.dumps(case.expected) if reveal_expected else None
    if record is None:
        return TestOutcome(index=index, status=CaseStatus.NOT_RUN, message=not_run)
    status = record["status"]
    actual = _short(str(record.get("repr", ""))) if "repr" in record else None
    duration = record.get("duration_ms")
    common: dict[str, Any] = {
        "index": index,
        "actual": actual,
        "expected_json": expected_json,
        "duration_ms": float(duration) if isinstance(duration, int | float) else None,
    }
    if status == STATUS_RETURNED and values_equal(record["value"], case.expected):
        message = "returned the expected value"
        return TestOutcome(status=CaseStatus.PASSED, message=message, **common)
    if status == STATUS_RAISED:
        error = _short(str(record.get("error", "")))
        return TestOutcome(status=CaseStatus.ERROR, message=f"raised {error}", **common)
    if status == STATUS_TIMEOUT:
        message = f"took longer than {timeout_s:g} s"
        return TestOutcome(status=CaseStatus.TIMEOUT, message=message, **common)
    if status == STATUS_UNSERIALIZABLE:
        message = f"returned {actual}, which is not JSON data (number, string, list, dict...)"
    elif status == STATUS_TOO_LARGE:
        message = "returned a value too large to compare"
    else:
        message = f"returned {actual}"
    if reveal_expected:
        message += f", expected {expected_json}"
    return TestOutcome(status=CaseStatus.WRONG_ANSWER, message=message, **common)


def _checked(
    function_name: str, test_cases: Sequence[TestCase | Mapping[str, Any]], timeout_s: float
) -> list[TestCase]:
    if not function_name.isidentifier() or keyword.iskeyword(function_name):
        raise ValueError(f"function_name: {function_name!r} is not a Python identifier")
    if not timeout_s > 0:
        raise ValueError(f"timeout_s: must be positive, got {timeout_s}")
    cases = [c if isinstance(c, TestCase) else TestCase.model_validate(c) for c in test_cases]
    if not cases:
        raise ValueError("test_cases: at least one test case is needed")
    return cases


async def grade_python_function(
    source: str,
    *,
    function_name: str,
    test_cases: Sequence[TestCase | Mapping[str, Any]],
    runner: CodeRunner,
    timeout_s: float = 5.0,
    partial_credit: bool = True,
    reveal_expected: bool = False,
    limits: Limits | None = None,
) -> GradeResult:
    """Grade a submitted Python function against its test cases in one sandboxed run.

    Args:
        source: The submission (a module defining ``function_name``).
        function_name: The function to call, e.g. ``"count_chars"``.
        test_cases: ``TestCase`` objects or mappings such as ``{"input": "hello",
            "expected": 5}``.
        runner: Where to run it (``SandboxRunner``, or ``FakeCodeRunner`` in tests).
        timeout_s: Wall seconds for loading the submission and for each case (the seed's
            ``timeout_seconds``); a case over it is ``timeout``, the others still run.
        partial_credit: ``score = passed / total`` when true, else all or nothing.
        reveal_expected: Put expected values in the outcomes (``expected_json`` and the
            message); off by default so that hidden tests stay hidden.
        limits: Sandbox limits; default ``grading_limits(timeout_s, len(test_cases))``.

    Returns:
        Passed and total counts, the score, one outcome per case and the run.

    Raises:
        ValueError: A bad ``function_name``, ``timeout_s`` or empty ``test_cases``.
        pydantic.ValidationError: A malformed test case.
        assay.sandbox.errors.SandboxError: The sandbox failed (never scored as the
            submission's fault).

    Example:
        >>> import asyncio
        >>> from assay.sandbox import SandboxRunner
        >>> grade = asyncio.run(grade_python_function(
        ...     "def count_chars(s):\\n    return len(s)\\n", function_name="count_chars",
        ...     test_cases=[{"input": "hello", "expected": 5}, {"input": "", "expected": 0}],
        ...     runner=SandboxRunner()))
        >>> grade.passed, grade.total, grade.score
        (2, 2, 1.0)
    """
    cases = _checked(function_name, test_cases, timeout_s)
    nonce = secrets.token_hex(16)
    request = {
        "nonce": nonce,
        "function": function_name,
        "case_timeout_s": timeout_s,
        "cases": [case.call() for case in cases],
    }
    run = await runner.run(
        script_text(HARNESS_SCRIPT),
        stdin=json.dumps(request),
        files={SUBMISSION_FILE: source},
        limits=limits or grading_limits(timeout_s=timeout_s, case_count=len(cases)),
    )
    report = parse_report(run.stdout, nonce=nonce, total=len(cases))
    error: str | None = None
    not_run = f"not run: the program stopped early ({run.message})"
    if report.violation is not None:
        error = f"the grading channel was tampered with: {report.violation}"
        report.records.clear()
        not_run = "not run: the grading channel was tampered with"
    elif report.import_error is not None:
        error = f"the submission did not load: {report.import_error}"
        not_run = "not run: the submission did not load"
    elif not report.done:
        error = f"the program stopped before every test ran: {run.message}"
    outcomes = [
        _outcome(
            index,
            case,
            report.records.get(index),
            not_run=not_run,
            timeout_s=timeout_s,
            reveal_expected=reveal_expected,
        )
        for index, case in enumerate(cases)
    ]
    passed = sum(outcome.status is CaseStatus.PASSED for outcome in outcomes)
    score = partial_credit_score(passed=passed, total=len(cases), partial_credit=partial_credit)
    return GradeResult(
        passed=passed, total=len(cases), score=score, outcomes=outcomes, error=error, run=run
    )


__all__ = [
    "STARTUP_ALLOWANCE_S",
    "CaseStatus",
    "GradeResult",
    "HarnessReport",
    "TestCase",
    "TestOutcome",
    "grade_python_function",
    "grading_limits",
    "parse_report",
]
