"""Looking at host processes from the tests: which are alive, which carry a marker."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def state(pid: int) -> str | None:
    """The process's state letter (``"R"``, ``"S"``, ``"Z"``...), or ``None`` once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            line = f.read()
    except OSError:
        return None
    return line[line.rfind(")") + 2 :].split()[0]


def alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie (dead, waiting to be reaped)."""
    return state(pid) not in (None, "Z", "X")


def with_marker(marker: str) -> list[int]:
    """Live processes whose command line contains ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if marker.encode() in cmdline and alive(int(name)):
            found.append(int(name))
    return found


def wait_for(condition: Callable[[], bool], *, within_s: float = 30.0) -> bool:
    """Poll ``condition`` until it holds or ``within_s`` passes (a liveness bound, not a speed
    assertion); returns its last value."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
