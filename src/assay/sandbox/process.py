"""Host-side supervision of one child process: fed stdin, capped output, wall timeout, rusage.

The child starts in a session (and process group) of its own. The host kills the run when the
wall timeout expires or when stdout plus stderr exceed the output cap (counted while reading,
so 100 MB of output never reaches memory), and kills the group once more after the child has
exited, to sweep up processes it left behind. Under supervisors that reap the program
(bubblewrap and the launcher as the sandbox's init) a kill first hits the processes below
them, so that the supervisors reap them and their CPU time is counted, and the whole group
only if the child has not exited ``_STOP_GRACE_S`` later. Exit is noticed through a pidfd (a thread
waiting in ``waitid(WNOWAIT)`` where pidfds are missing), so the child stays a zombie, its pid
reserved, until every kill has been sent; it is then reaped with ``wait4`` for its resource
usage, which covers every descendant that was waited for (all of them under bubblewrap, whose
init reaps the whole sandbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

_DRAIN_GRACE_S = 2.0  # seconds to wait for pipes to close after the child exited
_STOP_GRACE_S = 0.5  # seconds a supervisor gets to reap the killed program and exit
_STATUS_CAP_BYTES = 64


@dataclass(frozen=True)
class Finished:
    """What the host saw of a child process (all sizes in bytes, all times in ms)."""

    returncode: int
    """``subprocess`` convention: negative for a signal."""
    stdout: bytes
    stderr: bytes
    stdout_bytes: int
    stderr_bytes: int
    status: bytes
    """What the child wrote to its status pipe (first 64 bytes)."""
    wall_timed_out: bool
    output_exceeded: bool
    duration_ms: float
    cpu_ms: float


class _Budget:
    """Bytes still allowed across streams; calls ``on_exceeded`` once when overdrawn."""

    def __init__(self, max_bytes: int, on_exceeded: Callable[[], None] | None) -> None:
        self.remaining = max_bytes
        self.exceeded = False
        self._on_exceeded = on_exceeded

    def take(self, size: int) -> int:
        keep = min(size, self.remaining)
        self.remaining -= keep
        if keep < size and not self.exceeded:
            self.exceeded = True
            if self._on_exceeded is not None:
                self._on_exceeded()
        return keep


class _Sink(asyncio.Protocol):
    """Reads one pipe, keeping what the budget allows and counting everything."""

    def __init__(self, budget: _Budget, closed: asyncio.Future[None]) -> None:
        self._budget = budget
        self._chunks: list[bytes] = []
        self.total = 0
        self.closed = closed

    def data_received(self, data: bytes) -> None:
        self.total += len(data)
        keep = self._budget.take(len(data))
        if keep:
            self._chunks.append(data[:keep])

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data(self) -> bytes:
        return b"".join(self._chunks)


def _descendants(pid: int, *, proc: str = "/proc") -> list[tuple[int, int]]:
    """``(pid, depth)`` of every live descendant of ``pid`` (children have depth 1), from
    one pass over ``/proc``."""
    children: dict[int, list[int]] = {}
    with os.scandir(proc) as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(
                    os.path.join(entry.path, "stat"), encoding="utf-8", errors="replace"
                ) as f:
                    line = f.read()
            except OSError:  # the process ended meanwhile
                continue
            parent = int(line[line.rfind(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found: list[tuple[int, int]] = []
    pending = [(pid, 0)]
    while pending:
        parent, depth = pending.pop()
        for child in children.get(parent, []):
            found.append((child, depth + 1))
            pending.append((child, depth + 1))
    return found


class _Child:
    """The spawned process; sends kills only while its pid is still reserved (unreaped)."""

    def __init__(self, popen: subprocess.Popen[bytes], supervisor_levels: int) -> None:
        self.popen = popen
        self.pid = popen.pid
        self.reaped = False
        self._supervisor_levels = supervisor_levels

    def kill_group(self) -> None:
        if not self.reaped:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Kill the run: with supervisors, the processes below them first (so that their
        CPU time reaches ``wait4``), the whole group after ``_STOP_GRACE_S``."""
        if self._supervisor_levels == 0 or self.reaped:
            self.kill_group()
            return
        with contextlib.suppress(OSError):
            for pid, depth in _descendants(self.pid):
                if depth > self._supervisor_levels:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
        asyncio.get_running_loop().call_later(_STOP_GRACE_S, self.kill_group)

    def reap(self) -> float:
        """Reap the exited child; returns its CPU time (descendants included) in ms."""
        _, status, usage = os.wait4(self.pid, 0)
        self.reaped = True
        self.popen.returncode = os.waitstatus_to_exitcode(status)
        return (usage.ru_utime + usage.ru_stime) * 1000.0


def _spawn(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, pass_fd: int
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
        close_fds=True,
        pass_fds=(pass_fd,),
        start_new_session=True,
    )


def _exit_future(loop: asyncio.AbstractEventLoop, pid: int) -> tuple[asyncio.Future[None], int]:
    """A future done when ``pid`` has exited (still unreaped), and the pidfd or -1."""
    exited: asyncio.Future[None] = loop.create_future()

    def done(*_: object) -> None:
        if not exited.done():
            exited.set_result(None)

    if hasattr(os, "pidfd_open"):
        pidfd = os.pidfd_open(pid)
        loop.add_reader(pidfd, done)
        return exited, pidfd
    waiter = asyncio.ensure_future(
        asyncio.to_thread(os.waitid, os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    )
    waiter.add_done_callback(done)
    return exited, -1


async def _attach(
    loop: asyncio.AbstractEventLoop, pipe: IO[bytes], sink: _Sink
) -> asyncio.BaseTransport:
    transport, _ = await loop.connect_read_pipe(lambda: sink, pipe)
    return transport


async def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str | None,
    stdin: bytes,
    wall_timeout_s: float,
    max_output_bytes: int,
    status_pipe: tuple[int, int],
    supervisor_levels: int = 0,
) -> Finished:
    """Run ``argv`` to completion under a wall timeout and an output cap.

    Args:
        argv: Program and arguments.
        env: The child's whole environment.
        cwd: Working directory, or ``None`` for the host's.
        stdin: Bytes written to the child's standard input, which is then closed.
        wall_timeout_s: Seconds before the process group is killed.
        max_output_bytes: stdout plus stderr kept; one byte more kills the group.
        status_pipe: ``(read_fd, write_fd)`` of an ``os.pipe()``; the write end is passed to
            the child under the same number, and both ends are closed by this function.
        supervisor_levels: Levels of descendants that supervise and reap the program
            (1 under bubblewrap: the launcher as the sandbox's init); a kill spares them
            briefly. 0: a kill hits the whole group at once.

    Returns:
        What the host saw; never raises for anything the child did.

    Raises:
        OSError: The program could not be started (e.g. not found).
    """
    read_fd, write_fd = status_pipe
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    try:
        popen = _spawn(argv, env=env, cwd=cwd, pass_fd=write_fd)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    child = _Child(popen, supervisor_levels)
    status_file = os.fdopen(read_fd, "rb", buffering=0)
    output = _Budget(max_output_bytes, child.stop)
    budgets = (output, output, _Budget(_STATUS_CAP_BYTES, None))
    sinks = [_Sink(budget, loop.create_future()) for budget in budgets]
    transports: list[asyncio.BaseTransport] = []
    pidfd = -1
    try:
        assert popen.stdin and popen.stdout and popen.stderr  # PIPEs were asked for
        for pipe, sink in zip((popen.stdout, popen.stderr, status_file), sinks, strict=True):
            transports.append(await _attach(loop, pipe, sink))
        stdin_transport, _ = await loop.connect_write_pipe(asyncio.Protocol, popen.stdin)
        transports.append(stdin_transport)
        stdin_transport.write(stdin)
        stdin_transport.close()

        exited, pidfd = _exit_future(loop, child.pid)
        wall_timed_out = False
        try:
            await asyncio.wait_for(asyncio.shield(exited), wall_timeout_s)
        except TimeoutError:
            wall_timed_out = True
            child.stop()
            await exited
        duration_ms = (time.perf_counter() - started) * 1000.0
        child.kill_group()  # sweep up what the program left behind
        cpu_ms = child.reap()
        await asyncio.wait([asyncio.ensure_future(s.closed) for s in sinks], timeout=_DRAIN_GRACE_S)
        out, err, status = sinks
        return Finished(
            returncode=popen.returncode,
            stdout=out.data(),
            stderr=err.data(),
            stdout_bytes=out.total,
            stderr_bytes=err.total,
            status=status.data(),
            wall_timed_out=wall_timed_out,
            output_exceeded=output.exceeded,
            duration_ms=duration_ms,
            cpu_ms=cpu_ms,
        )
    finally:
        if not child.reaped:  # cancelled or failed half-way: never leave the child behind
            child.kill_group()
            child.reap()
        if pidfd >= 0:
            loop.remove_reader(pidfd)
            os.close(pidfd)
        for transport in transports:
            transport.close()
        for pipe_file in (popen.stdin, popen.stdout, popen.stderr, status_file):
            if pipe_file is not None:
                pipe_file.close()


__all__ = ["Finished", "run_process"]
