"""From ``Limits`` to the ``setrlimit(2)`` values the launcher applies (pure, plus one probe)."""

from __future__ import annotations

import os

from assay.sandbox.limits import MIB, Limits

CPU_HARD_GRACE_S = 1
"""Seconds between SIGXCPU (soft ``RLIMIT_CPU``) and SIGKILL (hard)."""


def rlimits_for(limits: Limits, *, tasks_already_counted: int | None = 0) -> dict[str, list[int]]:
    """``{"RLIMIT_<NAME>": [soft, hard]}`` for the launcher.

    Args:
        limits: The run's limits.
        tasks_already_counted: Tasks the kernel already counts against the run's uid, added
            to ``max_processes`` (0 for a uid or user namespace of the run's own); ``None``
            leaves ``RLIMIT_NPROC`` unset (the count could not be taken).

    Example:
        >>> rlimits_for(Limits(cpu_time_s=2, memory_mb=64))["RLIMIT_CPU"]
        [2, 3]
        >>> rlimits_for(Limits(max_processes=4), tasks_already_counted=100)["RLIMIT_NPROC"]
        [104, 104]
    """
    values = {
        "RLIMIT_CPU": [limits.cpu_time_s, limits.cpu_time_s + CPU_HARD_GRACE_S],
        "RLIMIT_AS": [limits.memory_mb * MIB] * 2,
        "RLIMIT_FSIZE": [limits.max_file_size_mb * MIB] * 2,
        "RLIMIT_NOFILE": [limits.max_open_files] * 2,
        "RLIMIT_CORE": [0, 0],
    }
    if tasks_already_counted is not None:
        values["RLIMIT_NPROC"] = [tasks_already_counted + limits.max_processes] * 2
    return values


def count_tasks_of(uid: int, *, proc: str = "/proc") -> int | None:
    """Tasks (threads included) the kernel counts for ``uid`` now, or ``None`` without /proc.

    ``RLIMIT_NPROC`` counts every task of the real uid, so a run without a uid or user
    namespace of its own gets ``max_processes`` on top of this count (racy, but bounded).
    """
    if not os.path.isdir(proc):
        return None
    count = 0
    with os.scandir(proc) as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(os.path.join(entry.path, "task")))
            except OSError:  # the process ended meanwhile
                continue
    return count


__all__ = ["CPU_HARD_GRACE_S", "count_tasks_of", "rlimits_for"]
