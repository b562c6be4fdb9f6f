"""Can code run here? The ``SandboxProbe`` port, its real adapter and its fake.

``RunnerProbe`` answers by running a trivial program (``print(6 * 7)``) through the real
runner and checking that it printed ``42``: bubblewrap being installed is not enough (as root
in a container without user namespaces it cannot create a sandbox), and without bubblewrap the
runner may or may not manage with rlimits only (as root it needs an interpreter other users
can read). The answer is cached because it starts a process: an available sandbox until
``invalidate()`` or ``refresh()`` (the session service invalidates it when grading fails), an
unavailable one for ``recheck_after_s`` seconds, so that installing bubblewrap takes effect
without a restart.

``FakeSandboxProbe`` returns a status the test sets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assay.sandbox.errors import SandboxError
from assay.sandbox.port import CodeRunner
from assay.sandbox.result import Isolation
from assay.sandbox.runner import SandboxRunner

PROBE_SOURCE = "print(6 * 7)"
"""The program a probe runs."""
PROBE_OUTPUT = "42\n"
"""What it must print."""
BWRAP_INSTALL = "apt-get install bubblewrap"
"""How to install bubblewrap (Debian, Ubuntu; the package has this name on Fedora too)."""
BWRAP_NAMESPACES = (
    "bubblewrap is installed but cannot create a sandbox here: allow user namespaces "
    "(sysctl -w kernel.unprivileged_userns_clone=1), or give the container the rights "
    "(docker run --cap-add SYS_ADMIN --security-opt seccomp=unconfined)"
)
"""The fix when ``bwrap`` exists but fails."""
RECHECK_AFTER_S = 60.0
"""Seconds an *unavailable* status is kept before the next ``status()`` probes again."""


@dataclass(frozen=True)
class SandboxStatus:
    """Whether code can run here, and how well it is isolated.

    Attributes:
        available: A trivial program ran and printed what it should.
        isolation: ``"bwrap"``, ``"rlimits-only"`` (some protections missing, see
            ``unenforced``), ``"none"`` (a fake runner), or ``None`` when nothing ran.
        reason: Why code cannot run, or why bubblewrap is not used; ``None`` when all is well.
        fix: The command or setting that fixes ``reason``, or ``None``.
        unenforced: Protections missing under ``"rlimits-only"`` (``"network"``, ...).
    """

    available: bool
    isolation: Isolation | None = None
    reason: str | None = None
    fix: str | None = None
    unenforced: tuple[str, ...] = ()

    @property
    def bubblewrap(self) -> bool:
        """Whether runs get bubblewrap's namespaces."""
        return self.available and self.isolation == "bwrap"


@runtime_checkable
class SandboxProbe(Protocol):
    """Says whether code items can be graded here (cached; see the module docstring)."""

    async def status(self) -> SandboxStatus:
        """The cached status, probing first when there is none (or it is stale)."""
        ...

    async def refresh(self) -> SandboxStatus:
        """Probe now and cache the answer."""
        ...

    def invalidate(self) -> None:
        """Forget the cached status: the next ``status()`` probes again."""
        ...


def _fix_for(runner: CodeRunner) -> str:
    """The fix when code cannot run, or runs without bubblewrap."""
    if isinstance(runner, SandboxRunner) and runner.bwrap_executable is not None:
        return BWRAP_NAMESPACES
    return BWRAP_INSTALL


async def probe_runner(runner: CodeRunner) -> SandboxStatus:
    """Run ``PROBE_SOURCE`` through ``runner`` and say what that shows (never raises).

    Args:
        runner: The runner that grades code (``SandboxRunner``; a fake in tests).

    Returns:
        ``available`` iff the program printed ``PROBE_OUTPUT`` with verdict ``ok``; for a
        ``SandboxRunner`` that fell back to rlimits only, ``reason`` says why bubblewrap is not
        used and ``fix`` how to get it.
    """
    try:
        result = await runner.run(PROBE_SOURCE)
    except (SandboxError, OSError) as exc:
        return SandboxStatus(available=False, reason=str(exc), fix=_fix_for(runner))
    if result.verdict != "ok" or result.stdout != PROBE_OUTPUT:
        printed = (result.stderr or result.stdout).strip()[-300:]
        reason = f"a test program ended with {result.verdict.value}: {printed or result.message}"
        return SandboxStatus(
            available=False, isolation=result.isolation, reason=reason, fix=_fix_for(runner)
        )
    degraded = result.isolation == "rlimits-only"
    bwrap_error = getattr(runner, "bwrap_error", None) if degraded else None
    return SandboxStatus(
        available=True,
        isolation=result.isolation,
        reason=(bwrap_error or "bubblewrap is not used") if degraded else None,
        fix=_fix_for(runner) if degraded else None,
        unenforced=result.unenforced,
    )


class RunnerProbe:
    """The real ``SandboxProbe``: runs ``PROBE_SOURCE`` through a runner, caches the answer.

    Args:
        runner: The runner to probe: the one that grades, so the probe sees what grading sees.
        recheck_after_s: Seconds an unavailable status is kept (``RECHECK_AFTER_S``).
        clock: Monotonic seconds (``time.monotonic``); tests pass their own.

    Example:
        >>> import asyncio
        >>> asyncio.run(RunnerProbe(SandboxRunner()).status()).available  # doctest: +SKIP
        True
    """

    def __init__(
        self,
        runner: CodeRunner,
        *,
        recheck_after_s: float = RECHECK_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runner = runner
        self.recheck_after_s = recheck_after_s
        self._clock = clock
        self._cached: SandboxStatus | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()
        self.probes = 0
        """How many times a program was run (for tests of the cache)."""

    async def status(self) -> SandboxStatus:
        async with self._lock:
            cached = self._cached
            stale = cached is not None and not cached.available
            if stale and self._clock() - self._checked_at < self.recheck_after_s:
                stale = False
            if cached is not None and not stale:
                return cached
            return await self._probe()

    async def refresh(self) -> SandboxStatus:
        async with self._lock:
            return await self._probe()

    def invalidate(self) -> None:
        self._cached = None

    async def _probe(self) -> SandboxStatus:
        reset = getattr(self.runner, "reset", None)
        if callable(reset):  # a SandboxRunner chooses its isolation again
            reset()
        self.probes += 1
        self._cached = await probe_runner(self.runner)
        self._checked_at = self._clock()
        return self._cached


class FakeSandboxProbe:
    """A ``SandboxProbe`` for tests: returns ``current``, which the test sets.

    Args:
        status: The status to report; default available under bubblewrap.

    Example:
        >>> import asyncio
        >>> probe = FakeSandboxProbe(SandboxStatus(available=False, reason="no bwrap"))
        >>> asyncio.run(probe.status()).reason
        'no bwrap'
    """

    def __init__(self, status: SandboxStatus | None = None) -> None:
        self.current = status or SandboxStatus(available=True, isolation="bwrap")
        self.invalidations = 0

    async def status(self) -> SandboxStatus:
        return self.current

    async def refresh(self) -> SandboxStatus:
        return self.current

    def invalidate(self) -> None:
        self.invalidations += 1


__all__ = [
    "BWRAP_INSTALL",
    "BWRAP_NAMESPACES",
    "PROBE_OUTPUT",
    "PROBE_SOURCE",
    "RECHECK_AFTER_S",
    "FakeSandboxProbe",
    "RunnerProbe",
    "SandboxProbe",
    "SandboxStatus",
    "probe_runner",
]
