"""Choosing the isolation, and the sandbox's own failures (never the program's verdicts)."""

from __future__ import annotations

import pytest

from assay.sandbox import SandboxError, SandboxRunner, SandboxUnavailableError, Verdict


async def test_auto_falls_back_to_rlimits_only_without_bubblewrap(
    fallback_runner: SandboxRunner,
) -> None:
    runner = SandboxRunner(
        bwrap_path="/nonexistent/bwrap", python_executable=fallback_runner.python_executable
    )
    assert await runner.resolve_isolation() == "rlimits-only"
    assert (
        runner.bwrap_error is not None and "cannot start /nonexistent/bwrap" in runner.bwrap_error
    )
    result = await runner.run("print('still runs')")
    assert (result.verdict, result.stdout, result.isolation) == (
        Verdict.OK,
        "still runs\n",
        "rlimits-only",
    )


async def test_auto_prefers_bubblewrap(bwrap_runner: SandboxRunner) -> None:
    runner = SandboxRunner()
    assert await runner.resolve_isolation() == "bwrap"
    assert runner.bwrap_error is None


async def test_insisting_on_bubblewrap_without_it_is_an_error() -> None:
    runner = SandboxRunner(isolation="bwrap", bwrap_path="/nonexistent/bwrap")
    with pytest.raises(SandboxUnavailableError, match="isolation 'bwrap'"):
        await runner.run("pass")


async def test_a_bubblewrap_that_cannot_sandbox_is_refused(fallback_runner: SandboxRunner) -> None:
    runner = SandboxRunner(
        bwrap_path="/bin/false", python_executable=fallback_runner.python_executable
    )
    assert await runner.resolve_isolation() == "rlimits-only"
    assert runner.bwrap_error is not None and "did not start the program" in runner.bwrap_error


async def test_an_interpreter_that_never_starts_the_program_is_a_sandbox_error() -> None:
    runner = SandboxRunner(isolation="rlimits-only", python_executable="/bin/true")
    with pytest.raises(SandboxError, match="did not start the program"):
        await runner.run("print('never')")


async def test_a_missing_interpreter_is_unavailable() -> None:
    runner = SandboxRunner(python_executable="/nonexistent/python3")
    with pytest.raises(SandboxUnavailableError, match="python_executable: /nonexistent/python3"):
        await runner.resolve_isolation()


def test_an_unknown_isolation_is_refused() -> None:
    with pytest.raises(ValueError, match="isolation: 'docker' is not"):
        SandboxRunner(isolation="docker")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["../x.py", "a/b.txt", "", ".hidden", "main.py", "launcher.py"])
async def test_file_names_must_be_bare_and_free(name: str) -> None:
    with pytest.raises(ValueError, match=r"files: .* must be a bare file name"):
        await SandboxRunner().run("pass", files={name: "x"})


async def test_a_file_name_clash_is_refused_before_anything_runs() -> None:
    runner = SandboxRunner(python_executable="/nonexistent/python3")
    with pytest.raises(ValueError):  # checked before the interpreter is even looked at
        await runner.run("pass", files={"main.py": ""})
