"""Sandbox errors.

Exception tree::

    SandboxError                 the sandbox itself failed; the program's fault is never one
    └── SandboxUnavailableError  the requested isolation cannot be had on this machine

A program that fails (exception, limit, signal) is not an error: it is a ``RunResult`` with a
``Verdict``. Graders raise ``SandboxError`` rather than score a submission the sandbox could not
run.
"""

from __future__ import annotations


class SandboxError(Exception):
    """The sandbox could not run the program (set-up failed, launcher did not start).

    Args:
        message: What went wrong, for operators.
        stderr: What the sandbox tool or launcher printed, if anything.
    """

    def __init__(self, message: str, *, stderr: str = "") -> None:
        super().__init__(message if not stderr else f"{message}: {stderr.strip()[-2000:]}")
        self.stderr = stderr


class SandboxUnavailableError(SandboxError):
    """The requested isolation is impossible here (no bubblewrap, no usable interpreter)."""


__all__ = ["SandboxError", "SandboxUnavailableError"]
