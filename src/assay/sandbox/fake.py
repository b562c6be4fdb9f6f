"""``FakeCodeRunner``: a ``CodeRunner`` whose results are scripted (no process is started).

Like ``ScriptedModel`` for the LLM port: give it a list of results, replayed in order, or a
function of the request that returns the next result. Every call is kept in ``calls``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from assay.sandbox.errors import SandboxError
from assay.sandbox.limits import Limits
from assay.sandbox.result import RunResult, Verdict


class RunRequest(BaseModel):
    """One call to ``FakeCodeRunner.run``, as the fake received it."""

    model_config = ConfigDict(frozen=True)

    source: str
    stdin: bytes
    args: tuple[str, ...]
    files: dict[str, str]
    limits: Limits


RunStep = RunResult | str
"""A full ``RunResult``, or a text: the stdout of a run that exited with 0."""
RunFunction = Callable[[RunRequest], RunStep]


def scripted_result(
    stdout: str = "",
    *,
    stderr: str = "",
    verdict: Verdict = Verdict.OK,
    exit_code: int | None = 0,
    message: str = "scripted",
    limits: Limits | None = None,
) -> RunResult:
    """A ``RunResult`` as a fake run would report it (isolation ``"none"``).

    Example:
        >>> scripted_result("5\\n").stdout_bytes
        2
    """
    return RunResult(
        verdict=verdict,
        message=message,
        exit_code=exit_code,
        stdout=stdout,
        stderr=stderr,
        stdout_bytes=len(stdout.encode()),
        stderr_bytes=len(stderr.encode()),
        isolation="none",
        limits=limits or Limits(),
    )


class FakeCodeRunner:
    """A ``CodeRunner`` for tests: scripted results, recorded calls, nothing executed.

    Args:
        script: Results replayed in order, or a function ``RunRequest -> step``. A step is a
            ``RunResult`` or a text (stdout of a successful run, see ``scripted_result``).

    Raises:
        SandboxError: From ``run`` when a list script is exhausted.

    Example:
        >>> import asyncio
        >>> runner = FakeCodeRunner(["hi\\n"])
        >>> asyncio.run(runner.run("print('hi')")).stdout, runner.calls[0].source
        ('hi\\n', "print('hi')")
    """

    def __init__(self, script: Sequence[RunStep] | RunFunction) -> None:
        self._function: RunFunction | None = script if callable(script) else None
        self._steps: list[RunStep] = [] if callable(script) else list(script)
        self.calls: list[RunRequest] = []

    async def run(
        self,
        source: str,
        *,
        stdin: str | bytes = b"",
        args: Sequence[str] = (),
        files: Mapping[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        request = RunRequest(
            source=source,
            stdin=stdin.encode() if isinstance(stdin, str) else bytes(stdin),
            args=tuple(args),
            files=dict(files or {}),
            limits=limits or Limits(),
        )
        self.calls.append(request)
        if self._function is not None:
            step = self._function(request)
        elif len(self.calls) > len(self._steps):
            raise SandboxError(f"fake code runner exhausted after {len(self._steps)} results")
        else:
            step = self._steps[len(self.calls) - 1]
        if isinstance(step, str):
            return scripted_result(step, limits=request.limits)
        return step


__all__ = ["FakeCodeRunner", "RunFunction", "RunRequest", "RunStep", "scripted_result"]
