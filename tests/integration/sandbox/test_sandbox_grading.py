"""Grading real submissions in the real sandbox (seed 002 §13.5 PYTHON_STRING_LENGTH)."""

from __future__ import annotations

import textwrap
from typing import Any

from assay.sandbox import (
    CaseStatus,
    GradeResult,
    SandboxRunner,
    Verdict,
    grade_python_function,
)

# The seed's example_tests for PROG.PYTHON.STRING.LENGTH, plus a unicode case.
STRING_LENGTH_TESTS = [
    {"input": "hello", "expected": 5},
    {"input": "hello world", "expected": 11},
    {"input": "", "expected": 0},
    {"input": "naïve café", "expected": 10},
]


async def grade(runner: SandboxRunner, source: str, **options: Any) -> GradeResult:
    return await grade_python_function(
        textwrap.dedent(source),
        function_name="count_chars",
        test_cases=STRING_LENGTH_TESTS,
        runner=runner,
        **options,
    )


async def test_a_correct_submission_passes_every_test(runner: SandboxRunner) -> None:
    result = await grade(runner, "def count_chars(s: str) -> int:\n    return len(s)\n")
    assert (result.passed, result.total, result.score, result.error) == (4, 4, 1.0, None)
    assert [o.status for o in result.outcomes] == [CaseStatus.PASSED] * 4
    assert result.run.verdict is Verdict.OK
    assert result.isolation == await runner.resolve_isolation()


async def test_partial_credit_is_the_share_of_tests_passed(runner: SandboxRunner) -> None:
    source = "def count_chars(s):\n    return len(s.replace(' ', ''))\n"
    result = await grade(runner, source)
    assert (result.passed, result.score) == (2, 0.5)
    wrong = [o for o in result.outcomes if o.status is CaseStatus.WRONG_ANSWER]
    assert [(o.index, o.message) for o in wrong] == [(1, "returned 10"), (3, "returned 9")]
    assert all(o.expected_json is None for o in result.outcomes)


async def test_without_partial_credit_a_partial_pass_scores_zero(
    bwrap_runner: SandboxRunner,
) -> None:
    source = "def count_chars(s):\n    return len(s.replace(' ', ''))\n"
    result = await grade(bwrap_runner, source, partial_credit=False)
    assert (result.passed, result.score) == (2, 0.0)


async def test_expected_values_are_revealed_only_when_asked(bwrap_runner: SandboxRunner) -> None:
    result = await grade(bwrap_runner, "def count_chars(s):\n    return 0\n", reveal_expected=True)
    assert result.outcomes[0].message == "returned 0, expected 5"
    assert result.outcomes[0].expected_json == "5"


async def test_a_syntax_error_fails_every_test_and_says_why(runner: SandboxRunner) -> None:
    result = await grade(runner, "def count_chars(s)\n    return len(s)\n")
    assert (result.passed, result.score) == (0, 0.0)
    assert result.error is not None and "did not load" in result.error
    assert "SyntaxError" in result.error
    assert {o.status for o in result.outcomes} == {CaseStatus.NOT_RUN}


async def test_a_missing_function_is_reported(bwrap_runner: SandboxRunner) -> None:
    result = await grade(bwrap_runner, "def length(s):\n    return len(s)\n")
    assert result.error is not None and "no function count_chars()" in result.error


async def test_an_infinite_loop_costs_only_its_own_case(runner: SandboxRunner) -> None:
    source = """
        def count_chars(s):
            while s == "":
                pass
            return len(s)
        """
    result = await grade(runner, source, timeout_s=0.5)
    statuses = [o.status.value for o in result.outcomes]
    assert statuses == ["passed", "passed", "timeout", "passed"]
    assert result.outcomes[2].message == "took longer than 0.5 s"
    assert result.score == 0.75


async def test_exceptions_are_per_case(bwrap_runner: SandboxRunner) -> None:
    source = """
        def count_chars(s):
            if " " in s:
                raise ValueError("no spaces please")
            return len(s)
        """
    result = await grade(bwrap_runner, source)
    statuses = [o.status.value for o in result.outcomes]
    assert statuses == ["passed", "error", "passed", "error"]
    assert result.outcomes[1].message == "raised ValueError: no spaces please"


async def test_prints_in_the_submission_do_not_disturb_grading(runner: SandboxRunner) -> None:
    source = """
        print("loading")
        def count_chars(s):
            print("counting", s)
            return len(s)
        """
    result = await grade(runner, source)
    assert result.passed == 4
    assert "counting hello" in result.run.stderr


async def test_a_submission_that_exits_midway_loses_the_remaining_cases(
    bwrap_runner: SandboxRunner,
) -> None:
    source = """
        import os
        def count_chars(s):
            if s == "":
                os._exit(0)
            return len(s)
        """
    result = await grade(bwrap_runner, source)
    statuses = [o.status.value for o in result.outcomes]
    assert statuses == ["passed", "passed", "not_run", "not_run"]
    assert result.error is not None and "stopped before every test ran" in result.error


async def test_a_memory_bomb_in_one_case_is_an_error_for_that_case(
    bwrap_runner: SandboxRunner,
) -> None:
    source = """
        def count_chars(s):
            if s == "":
                return len(bytearray(8 * 1024 ** 3))
            return len(s)
        """
    result = await grade(bwrap_runner, source)
    assert result.outcomes[2].status is CaseStatus.ERROR
    assert "MemoryError" in result.outcomes[2].message
    assert result.passed == 3


async def test_returning_non_json_data_is_a_wrong_answer(bwrap_runner: SandboxRunner) -> None:
    result = await grade(bwrap_runner, "def count_chars(s):\n    return {len(s)}\n")
    assert result.outcomes[0].status is CaseStatus.WRONG_ANSWER
    assert result.outcomes[0].message.startswith("returned {5}, which is not JSON data")


async def test_mutating_the_input_does_not_leak_into_later_cases(
    bwrap_runner: SandboxRunner,
) -> None:
    result = await grade_python_function(
        "def total(xs):\n    xs.append(100)\n    return sum(xs)\n",
        function_name="total",
        test_cases=[{"input": [1, 2], "expected": 103}, {"input": [1, 2], "expected": 103}],
        runner=bwrap_runner,
    )
    assert result.passed == 2


async def test_printed_records_with_a_guessed_nonce_are_ignored(runner: SandboxRunner) -> None:
    source = """
        import json, sys
        for index in range(4):
            record = {"event": "case", "index": index, "status": "returned", "value": 0}
            sys.stdout.write("0" * 32 + " " + json.dumps(record) + "\\n")
        def count_chars(s):
            return -1
        """
    result = await grade(runner, source)
    assert result.passed == 0
    assert result.error is None  # the real records came through untouched


async def test_records_forged_on_the_private_channel_void_the_grade(
    runner: SandboxRunner,
) -> None:
    # The submission digs the nonce out of the harness's memory and writes a record for
    # case 0 on every open fd: the harness then writes case 0 again and the host sees it twice.
    source = """
        import gc, json, os
        nonce = next(o["nonce"] for o in gc.get_objects()
                     if isinstance(o, dict) and "nonce" in o and "cases" in o)
        line = nonce + " " + json.dumps(
            {"event": "case", "index": 0, "status": "returned", "value": 5}) + "\\n"
        for fd in range(3, 64):
            try:
                os.write(fd, line.encode())
            except OSError:
                pass
        def count_chars(s):
            return len(s)
        """
    result = await grade(runner, source)
    assert result.error is not None and "tampered" in result.error
    assert (result.passed, result.score) == (0, 0.0)
