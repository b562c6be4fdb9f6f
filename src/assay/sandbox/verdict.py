"""Pure decision logic: from how a process ended to a ``Verdict`` and a message."""

from __future__ import annotations

import signal

from assay.sandbox.limits import Limits
from assay.sandbox.result import Verdict

_SIGNAL_EXIT_BASE = 128


def split_exit_status(returncode: int, *, through_bwrap: bool) -> tuple[int | None, int | None]:
    """Split a returncode into ``(exit_code, term_signal)``; exactly one is ``None``.

    A direct child reports a signal as a negative returncode (``subprocess`` convention).
    bubblewrap exits with ``128 + N`` when the sandboxed program died of signal N, so through
    bubblewrap a code in ``129..128+NSIG`` is read as that signal; a program that calls
    ``sys.exit(137)`` is then read as SIGKILL, an ambiguity bubblewrap's status leaves open.

    Example:
        >>> split_exit_status(137, through_bwrap=True)
        (None, 9)
        >>> split_exit_status(-9, through_bwrap=False)
        (None, 9)
        >>> split_exit_status(1, through_bwrap=True)
        (1, None)
    """
    if returncode < 0:
        return None, -returncode
    if through_bwrap and _SIGNAL_EXIT_BASE < returncode < _SIGNAL_EXIT_BASE + signal.NSIG:
        return None, returncode - _SIGNAL_EXIT_BASE
    return returncode, None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def decide_verdict(
    *,
    exit_code: int | None,
    term_signal: int | None,
    wall_timed_out: bool,
    output_exceeded: bool,
    memory_error: bool,
    cpu_ms: float,
    limits: Limits,
) -> tuple[Verdict, str]:
    """Decide the verdict of a finished run; the first rule that applies wins.

    1. ``output_exceeded`` -> ``OUTPUT_LIMIT`` (the host killed the run for it);
    2. ``wall_timed_out`` -> ``TIMEOUT`` (the host killed the run for it);
    3. SIGXCPU, or SIGKILL with ``cpu_ms >= 1000 * cpu_time_s`` -> ``CPU_LIMIT``
       (``RLIMIT_CPU`` sends SIGXCPU at the soft limit and SIGKILL at the hard one);
    4. ``memory_error`` (the launcher saw an uncaught ``MemoryError``) -> ``MEMORY_LIMIT``;
    5. any other signal -> ``KILLED``;
    6. a non-zero exit code -> ``RUNTIME_ERROR``;
    7. otherwise ``OK``.

    Host-side kills come first because they cause the signal that follows them.

    Example:
        A program killed by SIGKILL after 5,020 ms of CPU under ``cpu_time_s=5``:

        >>> decide_verdict(exit_code=None, term_signal=9, wall_timed_out=False,
        ...                output_exceeded=False, memory_error=False, cpu_ms=5020.0,
        ...                limits=Limits(cpu_time_s=5))
        (<Verdict.CPU_LIMIT: 'cpu_limit'>, 'CPU time limit of 5 s exceeded')

    Returns:
        The verdict and one sentence for people.
    """
    if output_exceeded:
        return Verdict.OUTPUT_LIMIT, f"output limit of {limits.max_output_bytes} bytes exceeded"
    if wall_timed_out:
        return Verdict.TIMEOUT, f"wall time limit of {limits.wall_timeout_s:g} s exceeded"
    cpu_exhausted = cpu_ms >= 1000 * limits.cpu_time_s
    if term_signal == signal.SIGXCPU or (term_signal == signal.SIGKILL and cpu_exhausted):
        return Verdict.CPU_LIMIT, f"CPU time limit of {limits.cpu_time_s} s exceeded"
    if memory_error:
        return Verdict.MEMORY_LIMIT, f"memory limit of {limits.memory_mb} MiB exceeded"
    if term_signal is not None:
        return Verdict.KILLED, f"killed by {_signal_name(term_signal)}"
    if exit_code:
        return Verdict.RUNTIME_ERROR, f"exited with code {exit_code}"
    return Verdict.OK, "exited normally"


__all__ = ["decide_verdict", "split_exit_status"]
