"""run_process on plain (unsandboxed) programs: stdin, caps, timeouts, the status pipe."""

from __future__ import annotations

import os
import sys
import textwrap

from tests.integration.sandbox.procs import alive, wait_for

from assay.sandbox.process import Finished, _descendants, run_process


async def run(
    program: str, *, stdin: bytes = b"", timeout_s: float = 30, cap: int = 10_000
) -> Finished:
    read_fd, write_fd = os.pipe()
    argv = [sys.executable, "-c", textwrap.dedent(program), str(write_fd)]
    return await run_process(
        argv,
        env={},
        cwd=None,
        stdin=stdin,
        wall_timeout_s=timeout_s,
        max_output_bytes=cap,
        status_pipe=(read_fd, write_fd),
    )


async def test_stdin_is_fed_and_both_streams_and_the_status_pipe_are_read() -> None:
    program = """
        import os, sys
        os.write(int(sys.argv[1]), b"R")
        data = sys.stdin.read()
        print(data.upper()); print("warn", file=sys.stderr); sys.exit(4)
        """
    finished = await run(program, stdin=b"x" * 200_000, cap=1_000_000)  # > a pipe buffer
    assert finished.returncode == 4
    assert finished.stdout == b"X" * 200_000 + b"\n" and finished.stderr == b"warn\n"
    assert finished.status == b"R"
    assert not finished.wall_timed_out and not finished.output_exceeded


async def test_output_past_the_cap_is_counted_not_kept_and_kills_the_program() -> None:
    finished = await run("import sys\nwhile True:\n    sys.stdout.write('y' * 4096)", cap=10_000)
    assert finished.output_exceeded and finished.returncode == -9
    assert len(finished.stdout) == 10_000 and finished.stdout_bytes > 10_000


async def test_the_cap_is_shared_by_stdout_and_stderr() -> None:
    program = (
        "import sys\nsys.stdout.write('o' * 6000); sys.stdout.flush(); sys.stderr.write('e' * 6000)"
    )
    finished = await run(program, cap=10_000)
    assert finished.output_exceeded
    assert len(finished.stdout) + len(finished.stderr) == 10_000
    assert finished.stdout_bytes + finished.stderr_bytes == 12_000


async def test_the_timeout_kills_the_whole_process_group() -> None:
    program = """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(child.pid, flush=True)
        time.sleep(600)
        """
    finished = await run(program, timeout_s=1.0)
    assert finished.wall_timed_out and finished.returncode == -9
    assert finished.duration_ms >= 1000
    grandchild = int(finished.stdout)
    assert wait_for(lambda: not alive(grandchild), within_s=10)


async def test_what_a_program_leaves_behind_is_swept_up_when_it_exits() -> None:
    program = """
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(child.pid)
        """
    finished = await run(program)
    assert finished.returncode == 0
    assert wait_for(lambda: not alive(int(finished.stdout)), within_s=10)


async def test_cpu_time_is_measured() -> None:
    program = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.2:\n    pass"
    finished = await run(program)
    assert finished.cpu_ms >= 150


def test_descendants_are_found_with_their_depth() -> None:
    own = dict(_descendants(os.getppid()))
    assert own.get(os.getpid()) == 1
