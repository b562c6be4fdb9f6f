"""grade_python_function over FakeCodeRunner: the request, the report, the outcomes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from assay.sandbox import (
    CaseStatus,
    FakeCodeRunner,
    Limits,
    RunRequest,
    SandboxError,
    TestCase,
    Verdict,
    grade_python_function,
    grading_limits,
    scripted_result,
)
from assay.sandbox.grading import parse_report
from assay.sandbox.scripts import HARNESS_SCRIPT, script_text

CASES = [
    {"input": "hello", "expected": 5},
    {"input": "hello world", "expected": 11},
    {"input": "", "expected": 0},
]
NONCE = "ab" * 16


def reply(*records: dict[str, Any], verdict: Verdict = Verdict.OK) -> Callable[[RunRequest], Any]:
    """A fake run that answers with harness records under the request's nonce."""

    def run(request: RunRequest) -> Any:
        nonce = json.loads(request.stdin)["nonce"]
        lines = "".join(f"{nonce} {json.dumps(record)}\n" for record in records)
        return scripted_result(
            lines, verdict=verdict, exit_code=0 if verdict is Verdict.OK else None
        )

    return run


def case(index: int, status: str = "returned", **fields: Any) -> dict[str, Any]:
    return {"event": "case", "index": index, "status": status, **fields}


DONE = {"event": "done"}


async def grade(runner: FakeCodeRunner, **options: Any) -> Any:
    return await grade_python_function(
        "def count_chars(s):\n    return len(s)\n",
        function_name="count_chars",
        test_cases=CASES,
        runner=runner,
        **options,
    )


async def test_the_request_carries_inputs_but_never_expected_values() -> None:
    runner = FakeCodeRunner(
        reply(*(case(i, value=v, repr=str(v)) for i, v in enumerate([5, 11, 0])), DONE)
    )
    await grade(runner, timeout_s=2.0)
    request = runner.calls[0]
    payload = json.loads(request.stdin)
    assert payload["function"] == "count_chars" and payload["case_timeout_s"] == 2.0
    assert payload["cases"] == [
        {"args": ["hello"], "kwargs": {}},
        {"args": ["hello world"], "kwargs": {}},
        {"args": [""], "kwargs": {}},
    ]
    # Neither the key nor any expected value (5, 11, 0 as results) reaches the sandbox; the
    # random nonce is left out of the text check (its hex digits may contain "11").
    without_nonce = json.dumps({k: v for k, v in payload.items() if k != "nonce"})
    assert "expected" not in request.stdin.decode() and "11" not in without_nonce
    assert len(payload["nonce"]) == 32
    assert request.source == script_text(HARNESS_SCRIPT)
    assert request.files == {"submission.py": "def count_chars(s):\n    return len(s)\n"}
    assert request.limits == grading_limits(timeout_s=2.0, case_count=3)


async def test_each_run_gets_a_fresh_nonce() -> None:
    runner = FakeCodeRunner(reply(DONE))
    for _ in range(2):
        await grade(runner)
    nonces = {json.loads(call.stdin)["nonce"] for call in runner.calls}
    assert len(nonces) == 2


async def test_outcomes_follow_the_records() -> None:
    runner = FakeCodeRunner(
        reply(
            case(0, value=5, repr="5", duration_ms=0.2),
            case(1, "raised", error="TypeError: nope"),
            case(2, "timeout"),
            DONE,
        )
    )
    result = await grade(runner, timeout_s=1.5)
    assert [(o.status, o.message) for o in result.outcomes] == [
        (CaseStatus.PASSED, "returned the expected value"),
        (CaseStatus.ERROR, "raised TypeError: nope"),
        (CaseStatus.TIMEOUT, "took longer than 1.5 s"),
    ]
    assert (result.passed, result.total, result.error) == (1, 3, None)
    assert result.score == pytest.approx(1 / 3)
    assert result.outcomes[0].duration_ms == 0.2 and result.outcomes[0].actual == "5"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (case(0, value=4, repr="4"), "returned 4"),
        (case(0, value="5", repr="'5'"), "returned '5'"),
        (case(0, "unserializable", repr="{5}"), "returned {5}, which is not JSON data"),
        (case(0, "too_large", repr="[0, 0, ...]"), "returned a value too large to compare"),
    ],
)
async def test_wrong_answers_say_what_came_back(record: dict[str, Any], message: str) -> None:
    runner = FakeCodeRunner(reply(record))
    outcome = (await grade(runner)).outcomes[0]
    assert outcome.status is CaseStatus.WRONG_ANSWER
    assert outcome.message.startswith(message)
    assert outcome.expected_json is None


async def test_expected_values_are_revealed_only_when_asked() -> None:
    runner = FakeCodeRunner(reply(case(0, value=4, repr="4")))
    outcome = (await grade(runner, reveal_expected=True)).outcomes[0]
    assert (outcome.message, outcome.expected_json) == ("returned 4, expected 5", "5")


async def test_an_import_error_fails_every_case() -> None:
    runner = FakeCodeRunner(reply({"event": "import_error", "error": "SyntaxError: bad"}))
    result = await grade(runner)
    assert result.error == "the submission did not load: SyntaxError: bad"
    assert [o.status for o in result.outcomes] == [CaseStatus.NOT_RUN] * 3
    assert result.outcomes[0].message == "not run: the submission did not load"
    assert result.score == 0.0


async def test_a_run_that_stops_early_keeps_the_cases_it_finished() -> None:
    runner = FakeCodeRunner(reply(case(0, value=5, repr="5"), verdict=Verdict.TIMEOUT))
    result = await grade(runner)
    assert [o.status for o in result.outcomes] == [
        CaseStatus.PASSED,
        CaseStatus.NOT_RUN,
        CaseStatus.NOT_RUN,
    ]
    assert result.error == "the program stopped before every test ran: scripted"
    assert result.outcomes[1].message == "not run: the program stopped early (scripted)"


async def test_a_tampered_channel_scores_zero_even_with_passing_records() -> None:
    records = [case(0, value=5, repr="5"), case(0, value=5, repr="5")]
    result = await grade(FakeCodeRunner(reply(*records)))
    assert result.error == "the grading channel was tampered with: an unexpected 'case' record"
    assert (result.passed, result.score) == (0, 0.0)


async def test_without_partial_credit_anything_short_of_all_scores_zero() -> None:
    records = [case(0, value=5, repr="5"), case(1, value=11, repr="11"), case(2, value=1), DONE]
    runner = FakeCodeRunner(reply(*records))
    assert (await grade(runner, partial_credit=False)).score == 0.0


async def test_sandbox_failures_are_raised_not_scored() -> None:
    def broken(request: RunRequest) -> Any:
        raise SandboxError("bwrap: setting up uid map: Permission denied")

    with pytest.raises(SandboxError, match="uid map"):
        await grade(FakeCodeRunner(broken))


async def test_explicit_limits_are_passed_through() -> None:
    runner = FakeCodeRunner(reply(DONE))
    await grade(runner, limits=Limits(memory_mb=64))
    assert runner.calls[0].limits == Limits(memory_mb=64)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"function_name": "count chars"},
            "function_name: 'count chars' is not a Python identifier",
        ),
        ({"function_name": "class"}, "function_name: 'class' is not"),
        ({"test_cases": []}, "test_cases: at least one test case is needed"),
        ({"timeout_s": 0}, "timeout_s: must be positive"),
    ],
)
async def test_bad_arguments_are_refused_before_running(
    options: dict[str, Any], message: str
) -> None:
    runner = FakeCodeRunner([])
    arguments: dict[str, Any] = {"function_name": "f", "test_cases": CASES, "runner": runner}
    with pytest.raises(ValueError, match=message):
        await grade_python_function("", **{**arguments, **options})
    assert runner.calls == []


@pytest.mark.parametrize(
    ("case_fields", "call"),
    [
        ({"input": "hi", "expected": 2}, {"args": ["hi"], "kwargs": {}}),
        ({"input": None, "expected": 0}, {"args": [None], "kwargs": {}}),
        ({"args": [1, 2], "expected": 3}, {"args": [1, 2], "kwargs": {}}),
        ({"kwargs": {"a": 1}, "expected": 1}, {"args": [], "kwargs": {"a": 1}}),
        ({"args": [1], "kwargs": {"b": 2}, "expected": 3}, {"args": [1], "kwargs": {"b": 2}}),
    ],
)
def test_test_case_call_forms(case_fields: dict[str, Any], call: dict[str, Any]) -> None:
    assert TestCase.model_validate(case_fields).call() == call


@pytest.mark.parametrize(
    "case_fields",
    [
        {"expected": 1},
        {"input": 1, "args": [1], "expected": 1},
        {"input": 1},
        {"input": 1, "expected": 1, "x": 0},
    ],
)
def test_malformed_test_cases_are_rejected(case_fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TestCase.model_validate(case_fields)


@pytest.mark.parametrize(
    ("timeout_s", "count", "wall_s", "cpu_s"),
    [(5.0, 3, 22.0, 21), (0.5, 3, 4.0, 3), (1.0, 1, 4.0, 3), (100.0, 100, 3600.0, 3600)],
)
def test_grading_limits(timeout_s: float, count: int, wall_s: float, cpu_s: int) -> None:
    limits = grading_limits(timeout_s=timeout_s, case_count=count)
    assert (limits.wall_timeout_s, limits.cpu_time_s) == (wall_s, cpu_s)


def lines(*records: object) -> str:
    return "".join(f"{NONCE} {json.dumps(r) if not isinstance(r, str) else r}\n" for r in records)


@pytest.mark.parametrize(
    ("stdout", "done", "indexes", "violation"),
    [
        (lines(case(0, value=1), case(1, value=2), DONE), True, [0, 1], None),
        (lines(case(0, value=1)), False, [0], None),
        ("noise\n" + lines(case(0, value=1)) + "00 " + json.dumps(DONE) + "\n", False, [0], None),
        (lines(case(1, value=1)), False, [], "an unexpected 'case' record"),
        (lines(case(0, value=1), case(0, value=1)), False, [0], "an unexpected 'case' record"),
        (lines(case(0, value=1), DONE), False, [0], "an unexpected 'done' record"),
        (
            lines(case(0, value=1), case(1, value=2), DONE, DONE),
            True,
            [0, 1],
            "a record after the last one",
        ),
        (
            lines(case(0, value=1), case(1, value=2), case(2, value=3)),
            False,
            [0, 1],
            "an unexpected 'case' record",
        ),
        (lines(case(0)), False, [], "an unexpected 'case' record"),  # returned without a value
        (lines(case(0, "exploded")), False, [], "an unexpected 'case' record"),
        (
            lines({"event": "case", "index": True, "status": "timeout"}),
            False,
            [],
            "an unexpected 'case' record",
        ),
        (lines("{not json"), False, [], "a malformed record"),
        (lines(["a list"]), False, [], "a malformed record"),
        (
            lines(case(0, value=1), {"event": "import_error", "error": "x"}),
            False,
            [0],
            "an unexpected 'import_error' record",
        ),
    ],
)
def test_parse_report(stdout: str, done: bool, indexes: list[int], violation: str | None) -> None:
    report = parse_report(stdout, nonce=NONCE, total=2)
    assert (report.done, sorted(report.records), report.violation) == (done, indexes, violation)


def test_parse_report_reads_an_import_error() -> None:
    report = parse_report(
        lines({"event": "import_error", "error": "E" * 1000}), nonce=NONCE, total=2
    )
    assert report.import_error is not None and len(report.import_error) == 300
    assert report.records == {} and not report.done
