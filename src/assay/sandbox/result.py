"""What one sandboxed run produced: the verdict, exit status, output and usage."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.sandbox.limits import Limits

Isolation = Literal["bwrap", "rlimits-only", "none"]
"""How a run was isolated: ``"bwrap"`` (namespaces and rlimits), ``"rlimits-only"`` (no
namespaces: rlimits, a cleared environment and a temporary working directory) or ``"none"``
(``FakeCodeRunner``, nothing ran)."""


class Verdict(StrEnum):
    """How a run ended. Precedence when several apply is documented on ``decide_verdict``."""

    OK = "ok"
    """Exit code 0."""
    RUNTIME_ERROR = "runtime_error"
    """A non-zero exit code (an uncaught exception exits with 1)."""
    TIMEOUT = "timeout"
    """``wall_timeout_s`` expired; the host killed the run."""
    CPU_LIMIT = "cpu_limit"
    """``cpu_time_s`` exhausted (SIGXCPU, then SIGKILL)."""
    MEMORY_LIMIT = "memory_limit"
    """The program ended on an uncaught ``MemoryError`` under ``memory_mb``."""
    OUTPUT_LIMIT = "output_limit"
    """More than ``max_output_bytes`` written; the host killed the run."""
    KILLED = "killed"
    """Ended by a signal the sandbox did not send for a limit (e.g. SIGSEGV, SIGABRT)."""


class RunResult(BaseModel):
    """The outcome of one ``CodeRunner.run``.

    ``stdout`` and ``stderr`` are decoded as UTF-8 (invalid bytes replaced) and truncated so
    that together they keep at most ``limits.max_output_bytes`` bytes; ``stdout_bytes`` and
    ``stderr_bytes`` count everything the program wrote and ``stdout_truncated`` /
    ``stderr_truncated`` tell whether some of it was dropped.
    """

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    """How the run ended."""
    message: str
    """One sentence for people, e.g. ``"wall time limit of 2 s exceeded"``."""
    exit_code: int | None
    """The program's exit code, or ``None`` when a signal ended it."""
    term_signal: int | None = None
    """The signal number that ended the program, or ``None``."""
    stdout: str = ""
    """Captured standard output (truncated, see the class docstring)."""
    stderr: str = ""
    """Captured standard error (truncated)."""
    stdout_bytes: int = Field(default=0, ge=0)
    """Bytes the program wrote to stdout, kept or not."""
    stderr_bytes: int = Field(default=0, ge=0)
    """Bytes the program wrote to stderr, kept or not."""
    stdout_truncated: bool = False
    """Whether some of stdout was dropped."""
    stderr_truncated: bool = False
    """Whether some of stderr was dropped."""
    duration_ms: float = Field(default=0.0, ge=0)
    """Wall-clock time from start to exit, in milliseconds, sandbox set-up included."""
    cpu_ms: float = Field(default=0.0, ge=0)
    """User plus system CPU time of the whole process tree, in milliseconds."""
    isolation: Isolation
    """How the run was isolated."""
    unenforced: tuple[str, ...] = ()
    """Protections this isolation could not give, e.g. ``("network", "filesystem")``; see
    ``SandboxRunner`` for the vocabulary."""
    limits: Limits = Field(default_factory=Limits)
    """The limits the run was given."""


__all__ = ["Isolation", "RunResult", "Verdict"]
