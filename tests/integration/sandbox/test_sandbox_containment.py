"""Hostile programs against the real sandbox, with bubblewrap and with rlimits only.

Each attack is contained and ends with a clear verdict; what the rlimits-only isolation
cannot contain it says in ``RunResult.unenforced``, and the test holds it to that.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from tests.integration.sandbox.procs import alive, wait_for, with_marker

from assay.sandbox import Limits, SandboxRunner, Verdict
from assay.sandbox.limits import MIB


async def test_a_plain_program_sees_its_args_stdin_files_and_an_empty_work_dir(
    runner: SandboxRunner,
) -> None:
    program = textwrap.dedent(
        """
        import os, sys
        print(sys.argv[1:], sys.stdin.read().upper())
        print(sorted(os.listdir(".")))
        with open(os.path.join(os.path.dirname(__file__), "data.txt")) as f:
            print(f.read())
        open("scratch.txt", "w").write("ok")
        print(open("scratch.txt").read())
        """
    )
    result = await runner.run(program, stdin="abc", args=["-x", "y"], files={"data.txt": "DATA"})
    assert result.verdict is Verdict.OK, result.stderr
    assert result.stdout.splitlines() == ["['-x', 'y'] ABC", "[]", "DATA", "ok"]
    assert result.exit_code == 0 and result.term_signal is None
    assert result.isolation == await runner.resolve_isolation()


async def test_the_isolation_used_is_reported(
    bwrap_runner: SandboxRunner, fallback_runner: SandboxRunner
) -> None:
    contained = await bwrap_runner.run("pass")
    fallback = await fallback_runner.run("pass")
    assert (contained.isolation, contained.unenforced) == ("bwrap", ())
    assert fallback.isolation == "rlimits-only"
    assert {"network", "filesystem", "work_dir_size_mb"} <= set(fallback.unenforced)


async def test_an_uncaught_exception_is_a_runtime_error_with_the_programs_own_traceback(
    runner: SandboxRunner,
) -> None:
    result = await runner.run("def f():\n    return 1 / 0\nf()\n")
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert result.exit_code == 1
    assert "ZeroDivisionError: division by zero" in result.stderr
    assert 'main.py", line 3' in result.stderr and "launcher" not in result.stderr


async def test_an_exit_code_is_passed_through(runner: SandboxRunner) -> None:
    result = await runner.run("import sys\nsys.exit(3)")
    assert (result.verdict, result.exit_code) == (Verdict.RUNTIME_ERROR, 3)


async def test_an_infinite_loop_is_killed_at_the_wall_timeout(runner: SandboxRunner) -> None:
    marker = uuid.uuid4().hex
    limits = Limits(wall_timeout_s=1.0, cpu_time_s=60)
    result = await runner.run("while True:\n    pass", args=[marker], limits=limits)
    assert result.verdict is Verdict.TIMEOUT
    assert result.message == "wall time limit of 1 s exceeded"
    assert result.duration_ms >= 1000
    assert result.cpu_ms > 0  # the killed program's CPU time is still accounted
    assert with_marker(marker) == []


async def test_a_sleeping_program_is_killed_at_the_wall_timeout(runner: SandboxRunner) -> None:
    result = await runner.run("import time\ntime.sleep(60)", limits=Limits(wall_timeout_s=0.5))
    assert result.verdict is Verdict.TIMEOUT


async def test_cpu_time_is_capped_separately_from_wall_time(runner: SandboxRunner) -> None:
    limits = Limits(wall_timeout_s=120, cpu_time_s=1)
    result = await runner.run("while True:\n    pass", limits=limits)
    assert result.verdict is Verdict.CPU_LIMIT, result
    assert result.cpu_ms >= 500  # rusage and the kernel's RLIMIT_CPU clock differ slightly


async def test_a_fork_loop_gets_at_most_max_processes(runner: SandboxRunner) -> None:
    program = textwrap.dedent(
        """
        import os, time
        children = 0
        for _ in range(200):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children += 1
        print(children)
        """
    )
    result = await runner.run(program, limits=Limits(max_processes=8))
    assert result.verdict is Verdict.OK, result.stderr
    assert 1 <= int(result.stdout) <= 7  # the program itself is one of the 8


async def test_a_fork_bomb_is_contained_and_leaves_nothing_behind(runner: SandboxRunner) -> None:
    marker = uuid.uuid4().hex
    program = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        0"
    limits = Limits(wall_timeout_s=2.0, max_processes=12)
    result = await runner.run(program, args=[marker], limits=limits)
    assert result.verdict in (Verdict.TIMEOUT, Verdict.CPU_LIMIT)
    assert wait_for(lambda: with_marker(marker) == [], within_s=10)


async def test_a_process_escaping_into_its_own_session_is_killed_too(
    runner: SandboxRunner,
) -> None:
    program = textwrap.dedent(
        """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(600)
            os._exit(0)
        os.wait()
        print("escaped")
        """
    )
    marker = uuid.uuid4().hex
    result = await runner.run(program, args=[marker])
    assert result.verdict is Verdict.OK and result.stdout == "escaped\n", result.stderr
    if "process_isolation" not in result.unenforced:  # a uid or namespace of its own
        assert wait_for(lambda: with_marker(marker) == [], within_s=10)


async def test_a_memory_bomb_ends_with_memory_limit(runner: SandboxRunner) -> None:
    program = "hoard = []\nwhile True:\n    hoard.append(bytearray(4 * 1024 * 1024))\n"
    result = await runner.run(program, limits=Limits(memory_mb=64))
    assert result.verdict is Verdict.MEMORY_LIMIT, result
    assert result.message == "memory limit of 64 MiB exceeded"
    assert "MemoryError" in result.stderr


async def test_one_huge_allocation_ends_with_memory_limit(runner: SandboxRunner) -> None:
    result = await runner.run("block = bytearray(2 * 1024 ** 3)", limits=Limits(memory_mb=128))
    assert result.verdict is Verdict.MEMORY_LIMIT


async def test_printing_100_mb_stops_at_the_output_cap(runner: SandboxRunner) -> None:
    program = "import sys\nchunk = 'x' * 2**20\nfor _ in range(100):\n    sys.stdout.write(chunk)"
    limits = Limits(max_output_bytes=64 * 1024)
    result = await runner.run(program, limits=limits)
    assert result.verdict is Verdict.OUTPUT_LIMIT
    assert len(result.stdout) + len(result.stderr) <= 64 * 1024
    assert result.stdout_truncated and result.stdout_bytes > 64 * 1024
    assert result.stdout_bytes < 100 * MIB  # killed long before it finished


async def test_a_file_larger_than_the_cap_cannot_be_written(runner: SandboxRunner) -> None:
    program = "with open('big.bin', 'wb') as f:\n    f.write(b'x' * (3 * 1024 * 1024))\n"
    result = await runner.run(program, limits=Limits(max_file_size_mb=1))
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "File too large" in result.stderr


async def test_the_network_is_unreachable_under_bwrap(bwrap_runner: SandboxRunner) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.5)
        port = server.getsockname()[1]
        program = textwrap.dedent(
            f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
                print("connected")
            except OSError as exc:
                print("refused", type(exc).__name__)
            """
        )
        result = await bwrap_runner.run(program)
        with pytest.raises(TimeoutError):
            server.accept()  # nothing reached the host's listener
    assert result.stdout.startswith("refused"), result


async def test_the_fallback_says_it_cannot_isolate_the_network(
    fallback_runner: SandboxRunner,
) -> None:
    result = await fallback_runner.run("import socket\nsocket.socket().close()")
    assert result.verdict is Verdict.OK
    assert "network" in result.unenforced


async def test_nothing_outside_the_work_dir_can_be_written(
    runner: SandboxRunner, tmp_path: Path
) -> None:
    target = tmp_path / "escaped.txt"
    program = textwrap.dedent(
        f"""
        import os
        for path in [{str(target)!r}, os.path.join(os.path.dirname(__file__), "x.py"),
                     "/usr/escaped.txt", "/escaped.txt"]:
            try:
                open(path, "w").write("escaped")
                print("wrote", path)
            except OSError as exc:
                print("denied", type(exc).__name__)
        """
    )
    result = await runner.run(program)
    assert result.verdict is Verdict.OK, result.stderr
    if result.isolation == "bwrap" or os.geteuid() == 0:  # a uid of its own, or namespaces
        assert not target.exists()
        lines = result.stdout.splitlines()
        assert [line.split()[0] for line in lines[:3]] == ["denied"] * 3, lines
    if result.isolation == "rlimits-only":
        assert "filesystem" in result.unenforced


async def test_the_parents_environment_stays_secret(
    runner: SandboxRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("ASSAY_SANDBOX_TEST_SECRET", secret)
    program = textwrap.dedent(
        """
        import os
        print(dict(os.environ))
        for name in os.listdir("/proc"):
            if name.isdigit() or name == "self":
                try:
                    print(open(f"/proc/{name}/environ", "rb").read())
                except OSError:
                    pass
        """
    )
    result = await runner.run(program)
    assert result.verdict is Verdict.OK, result.stderr
    assert "ASSAY_SANDBOX_TEST_SECRET" not in result.stdout
    if "process_isolation" not in result.unenforced:
        assert secret not in result.stdout + result.stderr


RUN_DIR = re.compile(r"/[^\x00]*/assay-run-[A-Za-z0-9_]+")
_ORPHANED_PARENT = """
import asyncio, sys
from assay.sandbox import Limits, SandboxRunner

async def main() -> None:
    runner = SandboxRunner(isolation=sys.argv[1], python_executable=sys.argv[2])
    program = "import time\\nopen('ready', 'w').close()\\ntime.sleep(600)"
    await runner.run(program, args=[sys.argv[3]], limits=Limits(wall_timeout_s=600))

asyncio.run(main())
"""


def test_killing_the_host_process_kills_the_sandboxed_program(runner: SandboxRunner) -> None:
    isolation = asyncio.run(runner.resolve_isolation())
    marker = uuid.uuid4().hex
    python = runner.python_executable
    host = subprocess.Popen([sys.executable, "-c", _ORPHANED_PARENT, isolation, python, marker])

    def sandboxed() -> list[int]:
        return [pid for pid in with_marker(marker) if pid != host.pid]

    def program_running() -> bool:  # it made "ready" in its working directory
        return any(os.path.exists(f"/proc/{pid}/cwd/ready") for pid in sandboxed())

    try:
        assert wait_for(program_running)
        survivors = sandboxed()
        run_dirs = {
            d
            for pid in survivors
            for d in RUN_DIR.findall(Path(f"/proc/{pid}/cmdline").read_text())
        }
    finally:
        host.kill()
        host.wait()
    try:
        assert wait_for(lambda: not any(alive(pid) for pid in survivors), within_s=20)
        assert with_marker(marker) == []
    finally:  # the killed host could not remove its run directory
        for run_dir in run_dirs:
            shutil.rmtree(run_dir, ignore_errors=True)


async def test_runs_in_parallel_do_not_disturb_each_other(runner: SandboxRunner) -> None:
    results = await asyncio.gather(*(runner.run(f"print({n} * {n})") for n in range(4)))
    assert [r.stdout for r in results] == [f"{n * n}\n" for n in range(4)]
