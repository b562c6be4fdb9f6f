"""The code-runner port: one small async Protocol every sandbox adapter implements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from assay.sandbox.limits import Limits
from assay.sandbox.result import RunResult


@runtime_checkable
class CodeRunner(Protocol):
    """Runs untrusted Python source and reports how it ended.

    Implementations: ``SandboxRunner`` (bubblewrap, or rlimits only where bubblewrap is
    missing) and ``FakeCodeRunner`` (scripted results, for tests).
    """

    async def run(
        self,
        source: str,
        *,
        stdin: str | bytes = b"",
        args: Sequence[str] = (),
        files: Mapping[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        """Run ``source`` as ``__main__`` in a fresh, empty working directory.

        Args:
            source: Python source of the program.
            stdin: Bytes (or UTF-8 text) fed to the program's standard input.
            args: Command-line arguments, seen as ``sys.argv[1:]``.
            files: Extra read-only files by bare name, placed beside the program (in
                ``os.path.dirname(__file__)``), never in the working directory.
            limits: Resource limits; the runner's defaults when ``None``.

        Returns:
            The run's verdict, exit status, truncated output and usage. A program that fails
            is a result, not an exception.

        Raises:
            assay.sandbox.errors.SandboxError: The sandbox itself failed to start the program.
            ValueError: A file name that is not a bare name, or clashes with the program.
        """
        ...


__all__ = ["CodeRunner"]
