"""decide_verdict and split_exit_status: tables of how runs end."""

from __future__ import annotations

import signal

import pytest

from assay.sandbox import Limits, Verdict
from assay.sandbox.verdict import decide_verdict, split_exit_status

LIMITS = Limits(wall_timeout_s=2, cpu_time_s=3, memory_mb=64, max_output_bytes=1000)
SIGKILL, SIGXCPU, SIGSEGV = int(signal.SIGKILL), int(signal.SIGXCPU), int(signal.SIGSEGV)


@pytest.mark.parametrize(
    ("returncode", "through_bwrap", "expected"),
    [
        (0, False, (0, None)),
        (1, False, (1, None)),
        (-9, False, (None, 9)),
        (-24, True, (None, 24)),
        (137, True, (None, 9)),
        (137, False, (137, None)),  # a direct child's 137 is an exit code
        (128, True, (128, None)),
        (128 + signal.NSIG, True, (128 + signal.NSIG, None)),
        (3, True, (3, None)),
    ],
)
def test_split_exit_status(
    returncode: int, through_bwrap: bool, expected: tuple[int | None, int | None]
) -> None:
    assert split_exit_status(returncode, through_bwrap=through_bwrap) == expected


def decide(
    exit_code: int | None, term_signal: int | None, flags: str, cpu_ms: float
) -> tuple[Verdict, str]:
    return decide_verdict(
        exit_code=exit_code,
        term_signal=term_signal,
        wall_timed_out="wall" in flags,
        output_exceeded="output" in flags,
        memory_error="memory" in flags,
        cpu_ms=cpu_ms,
        limits=LIMITS,
    )


# flags: "wall" = the wall timeout fired, "output" = the output cap was hit,
# "memory" = the launcher saw an uncaught MemoryError
@pytest.mark.parametrize(
    ("exit_code", "term_signal", "flags", "cpu_ms", "verdict"),
    [
        (0, None, "", 10.0, Verdict.OK),
        (1, None, "", 10.0, Verdict.RUNTIME_ERROR),
        (3, None, "", 10.0, Verdict.RUNTIME_ERROR),
        (None, SIGKILL, "wall", 50.0, Verdict.TIMEOUT),
        (None, SIGKILL, "output", 50.0, Verdict.OUTPUT_LIMIT),
        (None, SIGKILL, "wall output", 50.0, Verdict.OUTPUT_LIMIT),  # output ranks first
        (None, SIGKILL, "wall", 3500.0, Verdict.TIMEOUT),  # the host's kill, not the CPU's
        (None, SIGXCPU, "", 2990.0, Verdict.CPU_LIMIT),
        (None, SIGKILL, "", 4000.0, Verdict.CPU_LIMIT),  # the hard RLIMIT_CPU
        (None, SIGKILL, "", 2999.0, Verdict.KILLED),  # below the budget: someone else's kill
        (1, None, "memory", 10.0, Verdict.MEMORY_LIMIT),
        (None, SIGXCPU, "memory", 3100.0, Verdict.CPU_LIMIT),
        (None, SIGSEGV, "", 10.0, Verdict.KILLED),
        (0, None, "wall", 10.0, Verdict.TIMEOUT),  # exited just as the timeout fired
    ],
)
def test_decide_verdict(
    exit_code: int | None, term_signal: int | None, flags: str, cpu_ms: float, verdict: Verdict
) -> None:
    assert decide(exit_code, term_signal, flags, cpu_ms)[0] is verdict


@pytest.mark.parametrize(
    ("exit_code", "term_signal", "flags", "message"),
    [
        (0, None, "", "exited normally"),
        (2, None, "", "exited with code 2"),
        (None, SIGKILL, "wall", "wall time limit of 2 s exceeded"),
        (None, SIGKILL, "output", "output limit of 1000 bytes exceeded"),
        (None, SIGXCPU, "", "CPU time limit of 3 s exceeded"),
        (1, None, "memory", "memory limit of 64 MiB exceeded"),
        (None, SIGSEGV, "", "killed by SIGSEGV"),
        (None, 63, "", "killed by signal 63"),
    ],
)
def test_verdict_messages_name_the_limit(
    exit_code: int | None, term_signal: int | None, flags: str, message: str
) -> None:
    assert decide(exit_code, term_signal, flags, 0.0)[1] == message
