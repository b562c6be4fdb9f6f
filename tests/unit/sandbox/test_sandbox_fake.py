"""FakeCodeRunner: scripted results, recorded calls, the port's shape."""

from __future__ import annotations

import pytest

from assay.sandbox import (
    CodeRunner,
    FakeCodeRunner,
    Limits,
    RunRequest,
    SandboxError,
    SandboxRunner,
    Verdict,
    scripted_result,
)


def test_both_runners_satisfy_the_port() -> None:
    assert isinstance(FakeCodeRunner([]), CodeRunner)
    assert isinstance(SandboxRunner(), CodeRunner)


async def test_a_list_script_is_replayed_in_order_then_exhausted() -> None:
    timeout = scripted_result(verdict=Verdict.TIMEOUT, exit_code=None, message="too slow")
    runner = FakeCodeRunner(["first\n", timeout])
    first = await runner.run("print('first')")
    second = await runner.run("while True: pass")
    assert (first.verdict, first.stdout, first.isolation) == (Verdict.OK, "first\n", "none")
    assert second is timeout
    with pytest.raises(SandboxError, match="exhausted after 2 results"):
        await runner.run("pass")


async def test_every_call_is_recorded_with_normalised_inputs() -> None:
    runner = FakeCodeRunner(["", ""])
    limits = Limits(wall_timeout_s=1)
    await runner.run("a", stdin="text", args=["-v"], files={"x.txt": "X"}, limits=limits)
    await runner.run("b", stdin=b"\x00")
    assert runner.calls[0] == RunRequest(
        source="a", stdin=b"text", args=("-v",), files={"x.txt": "X"}, limits=limits
    )
    assert (runner.calls[1].stdin, runner.calls[1].limits) == (b"\x00", Limits())


async def test_a_function_script_answers_from_the_request() -> None:
    runner = FakeCodeRunner(lambda request: request.stdin.decode()[::-1])
    assert (await runner.run("", stdin="abc")).stdout == "cba"
    assert (await runner.run("", stdin="xy")).stdout == "yx"


def test_scripted_results_count_their_bytes() -> None:
    result = scripted_result("é\n", stderr="warn")
    assert (result.stdout_bytes, result.stderr_bytes, result.exit_code) == (3, 4, 0)
    assert not result.stdout_truncated
