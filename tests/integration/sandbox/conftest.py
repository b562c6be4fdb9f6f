"""Runners for the sandbox integration tests.

``bwrap_runner`` needs bubblewrap: it fails under ``CI=true`` when bubblewrap is missing or
cannot create a sandbox (CI installs it: ``apt-get install bubblewrap``), and skips
elsewhere. ``fallback_runner`` is rlimits-only; as root it needs an interpreter other users
can read, so it falls back from ``sys.executable`` to ``/usr/bin/python3``.
"""

from __future__ import annotations

import os
import sys

import pytest

from assay.sandbox import SandboxRunner, SandboxUnavailableError

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture
async def bwrap_runner() -> SandboxRunner:
    """A ``SandboxRunner`` that must use bubblewrap."""
    runner = SandboxRunner(isolation="bwrap")
    try:
        await runner.resolve_isolation()
    except SandboxUnavailableError as exc:
        _unavailable(f"bubblewrap unavailable: {exc}")
    return runner


@pytest.fixture
async def fallback_runner() -> SandboxRunner:
    """A ``SandboxRunner`` with rlimits only (as if bubblewrap were missing)."""
    errors = []
    for python in (sys.executable, "/usr/bin/python3"):
        runner = SandboxRunner(isolation="rlimits-only", python_executable=python)
        try:
            await runner.resolve_isolation()
        except SandboxUnavailableError as exc:
            errors.append(str(exc))
            continue
        return runner
    _unavailable(f"no interpreter usable without bubblewrap: {errors}")
    raise AssertionError("unreachable")


@pytest.fixture(params=["bwrap", "rlimits-only"])
def runner(request: pytest.FixtureRequest) -> SandboxRunner:
    """Each isolation in turn."""
    name = "bwrap_runner" if request.param == "bwrap" else "fallback_runner"
    runner: SandboxRunner = request.getfixturevalue(name)
    return runner
