"""``SandboxRunner``: the real ``CodeRunner``, with bubblewrap or with rlimits only.

Each run gets a fresh temporary directory on the host holding the launcher, the program
(``main.py``) and its files; the program starts through ``_launcher.py`` (see there) under
``python -I -S -B -X utf8``: isolated mode (no ``PYTHON*`` variables, no user site, no script
directory injected by the interpreter), no ``site`` (no site-packages), no bytecode written.

Isolation ``"bwrap"`` (see ``assay.sandbox.bwrap``): namespaces, so no network, no host files
but the interpreter's, no host processes, an empty tmpfs working directory, the whole sandbox
killed with its host process. Isolation ``"rlimits-only"`` (no usable bubblewrap): the same
rlimits, a cleared environment and an empty temporary working directory, but some protections
are missing and every result says which in ``RunResult.unenforced``:

- ``"network"``: the program can open sockets;
- ``"filesystem"``: it can read host files its uid may read and write where its uid may;
- ``"work_dir_size_mb"``: the working directory has no size cap of its own;
- ``"process_isolation"``: it runs as the host's own uid (host not root), so it can see and
  signal the host user's processes and read their ``/proc/<pid>/environ``;
- ``"max_processes"``: no ``/proc`` to count the uid's tasks, so ``RLIMIT_NPROC`` is unset.

As root without bubblewrap the program runs under a uid of its own (so that
``RLIMIT_NPROC`` applies), which needs an interpreter that other users can read; when the
run ends, every process of that uid is killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assay.sandbox._launcher import STATUS_MEMORY_ERROR, STATUS_READY
from assay.sandbox.bwrap import SANDBOX_ENV, SANDBOX_SRC, HostLayout, bwrap_argv
from assay.sandbox.errors import SandboxError, SandboxUnavailableError
from assay.sandbox.limits import Limits
from assay.sandbox.process import Finished, run_process
from assay.sandbox.result import Isolation, RunResult
from assay.sandbox.rlimits import count_tasks_of, rlimits_for
from assay.sandbox.scripts import LAUNCHER_SCRIPT, script_text
from assay.sandbox.verdict import decide_verdict, split_exit_status

IsolationChoice = Literal["auto", "bwrap", "rlimits-only"]
PYTHON_FLAGS = ("-I", "-S", "-B", "-X", "utf8")
LAUNCHER_FILE = "launcher.py"
MAIN_FILE = "main.py"
RUN_UID_BASE = 1_900_000_000
"""Runs as root get a uid in ``[RUN_UID_BASE, RUN_UID_BASE + RUN_UID_SPAN)``, unused on
ordinary systems (below the 2**31 of 32-bit tools, above common subuid ranges)."""
RUN_UID_SPAN = 1 << 20
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_PROBE_LIMITS = Limits(wall_timeout_s=30)


@dataclass(frozen=True)
class _Plan:
    isolation: Isolation
    interpreter: str
    prefix: str
    bwrap: str | None
    drop_uid: bool
    unenforced: tuple[str, ...]


def _accessible_to_others(path: str) -> bool:
    """Whether a user with no relation to the owner can reach and read ``path``."""
    current = Path(path)
    try:
        if not current.stat().st_mode & stat.S_IROTH:
            return False
        return all(parent.stat().st_mode & stat.S_IXOTH for parent in current.parents)
    except OSError:
        return False


def _interpreter(python_executable: str) -> tuple[str, str]:
    """The interpreter's real path and its prefix (``<prefix>/bin/python``)."""
    interpreter = os.path.realpath(python_executable)
    if not os.access(interpreter, os.X_OK):
        raise SandboxUnavailableError(f"python_executable: {interpreter} is not executable")
    return interpreter, os.path.dirname(os.path.dirname(interpreter))


def _checked_files(files: Mapping[str, str] | None) -> dict[str, str]:
    checked = dict(files or {})
    for name in checked:
        if not _FILE_NAME.fullmatch(name) or name in (LAUNCHER_FILE, MAIN_FILE):
            raise ValueError(
                f"files: {name!r} must be a bare file name (letters, digits, '_', '.', '-'; "
                f"at most 100 characters) other than {LAUNCHER_FILE!r} and {MAIN_FILE!r}"
            )
    return checked


def _prepare_dir(source: str, files: Mapping[str, str], *, uid: int | None, work: bool) -> str:
    """A host temporary directory with ``src/`` (read-only files) and, if asked, ``work/``."""
    tmp = tempfile.mkdtemp(prefix="assay-run-")
    src = os.path.join(tmp, "src")
    os.mkdir(src)
    os.chmod(src, 0o755)
    contents = {LAUNCHER_FILE: script_text(LAUNCHER_SCRIPT), MAIN_FILE: source, **files}
    for name, text in contents.items():
        path = os.path.join(src, name)
        Path(path).write_text(text, encoding="utf-8")
        os.chmod(path, 0o644)
    if work:
        os.mkdir(os.path.join(tmp, "work"), 0o700)
        if uid is not None:
            os.chown(os.path.join(tmp, "work"), uid, uid)
            os.chmod(tmp, 0o711)
    return tmp


def _remove_tree(path: str) -> None:
    if os.geteuid() != 0:  # the program may have made its own directories unwritable
        for root, dirs, _ in os.walk(path):
            for name in dirs:
                child = os.path.join(root, name)
                if not os.path.islink(child):
                    os.chmod(child, 0o700)
    shutil.rmtree(path, ignore_errors=True)


class SandboxRunner:
    """Runs untrusted Python in a sandbox; a ``CodeRunner``.

    Args:
        isolation: ``"auto"`` (bubblewrap when it is installed and can create a sandbox here,
            checked once by running an empty program, else rlimits only), ``"bwrap"`` or
            ``"rlimits-only"``.
        python_executable: Interpreter used inside; default ``sys.executable`` (its real
            path; its prefix is ``<prefix>/bin/python``).
        bwrap_path: The ``bwrap`` executable; default found on ``PATH``.
        limits: Default limits for runs that give none.

    Raises:
        SandboxUnavailableError: From the first ``run`` (or ``resolve_isolation``) when the
            chosen isolation cannot be had: ``"bwrap"`` without a working bubblewrap, or, as
            root without bubblewrap, an interpreter other users cannot read.

    Example:
        >>> import asyncio
        >>> result = asyncio.run(SandboxRunner().run("print(6 * 7)"))
        >>> result.verdict, result.stdout
        (<Verdict.OK: 'ok'>, '42\\n')
    """

    def __init__(
        self,
        *,
        isolation: IsolationChoice = "auto",
        python_executable: str | None = None,
        bwrap_path: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        if isolation not in ("auto", "bwrap", "rlimits-only"):
            raise ValueError(f"isolation: {isolation!r} is not 'auto', 'bwrap' or 'rlimits-only'")
        self._choice: IsolationChoice = isolation
        self._python = python_executable or sys.executable
        self._bwrap = bwrap_path
        self._limits = limits or Limits()
        self._plan: _Plan | None = None
        self.bwrap_error: str | None = None
        """Why bubblewrap was not used, when ``"auto"`` fell back to rlimits only."""

    @property
    def python_executable(self) -> str:
        """The interpreter runs use (real path)."""
        return os.path.realpath(self._python)

    @property
    def bwrap_executable(self) -> str | None:
        """The ``bwrap`` this runner would use (``bwrap_path``, else found on ``PATH``), or
        ``None`` when it is not an executable file: bubblewrap is not installed."""
        return shutil.which(self._bwrap or "bwrap")

    def reset(self) -> None:
        """Forget the chosen isolation: the next run chooses again (after installing
        bubblewrap, say). Runs already started are not affected."""
        self._plan = None
        self.bwrap_error = None

    async def resolve_isolation(self) -> Isolation:
        """Choose (once) and return the isolation runs will get.

        Raises:
            SandboxUnavailableError: See the class docstring.
        """
        return (await self._resolve()).isolation

    async def run(
        self,
        source: str,
        *,
        stdin: str | bytes = b"",
        args: Sequence[str] = (),
        files: Mapping[str, str] | None = None,
        limits: Limits | None = None,
    ) -> RunResult:
        """Run ``source`` as ``__main__``; see ``CodeRunner.run``.

        Raises:
            SandboxError: The sandbox failed to start the program.
            SandboxUnavailableError: See the class docstring.
            ValueError: A bad file name in ``files``.
        """
        extra = _checked_files(files)
        data = stdin.encode() if isinstance(stdin, str) else bytes(stdin)
        plan = await self._resolve()
        return await self._run(plan, source, data, list(args), extra, limits or self._limits)

    async def _resolve(self) -> _Plan:
        if self._plan is None:
            self._plan = await self._choose()
        return self._plan

    async def _choose(self) -> _Plan:
        interpreter, prefix = _interpreter(self._python)
        if self._choice != "rlimits-only":
            bwrap = self._bwrap or shutil.which("bwrap")
            if bwrap is None:
                self.bwrap_error = "bwrap not found; Debian: apt-get install bubblewrap"
            else:
                plan = _Plan("bwrap", interpreter, prefix, bwrap, os.geteuid() == 0, ())
                self.bwrap_error = await self._probe(plan)
                if self.bwrap_error is None:
                    return plan
            if self._choice == "bwrap":
                raise SandboxUnavailableError(f"isolation 'bwrap': {self.bwrap_error}")
        return self._fallback_plan(interpreter, prefix)

    @staticmethod
    def _fallback_plan(interpreter: str, prefix: str) -> _Plan:
        unenforced = ["network", "filesystem", "work_dir_size_mb"]
        as_root = os.geteuid() == 0
        if as_root:
            stdlib = os.path.join(prefix, "lib")
            if not (_accessible_to_others(interpreter) and _accessible_to_others(stdlib)):
                raise SandboxUnavailableError(
                    f"python_executable: as root without bubblewrap the program runs under a "
                    f"uid of its own, which cannot read {interpreter} or {stdlib}; install "
                    f"bubblewrap or pass an interpreter other users can read (/usr/bin/python3)"
                )
        else:
            unenforced.append("process_isolation")
            if count_tasks_of(os.getuid()) is None:
                unenforced.append("max_processes")
        return _Plan("rlimits-only", interpreter, prefix, None, as_root, tuple(unenforced))

    async def _probe(self, plan: _Plan) -> str | None:
        """``None`` when bubblewrap runs an empty program here, else why not."""
        try:
            result = await self._run(plan, "pass", b"", [], {}, _PROBE_LIMITS)
        except (SandboxError, OSError) as exc:
            return f"bubblewrap cannot create a sandbox here: {exc}"
        if result.verdict != "ok":
            return f"bubblewrap ran an empty program with verdict {result.verdict}: {result.stderr}"
        return None

    async def _run(
        self,
        plan: _Plan,
        source: str,
        stdin: bytes,
        args: list[str],
        files: dict[str, str],
        limits: Limits,
    ) -> RunResult:
        fallback = plan.isolation == "rlimits-only"
        uid = RUN_UID_BASE + random.randrange(RUN_UID_SPAN) if plan.drop_uid else None
        tmp = await asyncio.to_thread(_prepare_dir, source, files, uid=uid, work=fallback)
        try:
            read_fd, write_fd = os.pipe()
            config: dict[str, Any] = {"status_fd": write_fd, "uid": uid, "gid": uid}
            config.update(init=not fallback, die_with_parent=fallback)
            if fallback:
                src, work = os.path.join(tmp, "src"), os.path.join(tmp, "work")
                own_uid = uid is not None or "max_processes" in plan.unenforced
                counted = 0 if own_uid else count_tasks_of(os.getuid())
                config.update(rlimits=rlimits_for(limits, tasks_already_counted=counted))
                config.update(parent_pid=os.getpid())
            else:
                src, work = SANDBOX_SRC, None
                config.update(rlimits=rlimits_for(limits))
            command = [plan.interpreter, *PYTHON_FLAGS, f"{src}/{LAUNCHER_FILE}"]
            command += [json.dumps(config), f"{src}/{MAIN_FILE}", *args]
            finished = await self._spawn(plan, command, tmp, work, stdin, limits, read_fd, write_fd)
        finally:
            if uid is not None and fallback and await asyncio.to_thread(_uid_has_processes, uid):
                await _kill_uid(plan.interpreter, uid)
            await asyncio.to_thread(_remove_tree, tmp)
        return _to_result(finished, plan, limits)

    async def _spawn(
        self,
        plan: _Plan,
        command: list[str],
        tmp: str,
        work: str | None,
        stdin: bytes,
        limits: Limits,
        read_fd: int,
        write_fd: int,
    ) -> Finished:
        if plan.bwrap is not None:
            argv = bwrap_argv(
                bwrap=plan.bwrap,
                prefix=plan.prefix,
                src_dir=os.path.join(tmp, "src"),
                layout=HostLayout.inspect(),
                as_root=plan.drop_uid,
                work_dir_size_mb=limits.work_dir_size_mb,
                command=command,
            )
            env: dict[str, str] = {}
        else:
            argv, env = command, {**SANDBOX_ENV, "HOME": str(work), "TMPDIR": str(work)}
        try:
            return await run_process(
                argv,
                env=env,
                cwd=work,
                stdin=stdin,
                wall_timeout_s=limits.wall_timeout_s,
                max_output_bytes=limits.max_output_bytes,
                status_pipe=(read_fd, write_fd),
                supervisor_levels=1 if plan.bwrap is not None else 0,
            )
        except OSError as exc:
            raise SandboxError(f"cannot start {argv[0]}: {exc}") from exc


def _uid_has_processes(uid: int) -> bool:
    """Whether any process has real uid ``uid`` (read from ``/proc/<pid>/status``, which a
    process cannot hide by making itself non-dumpable)."""
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(os.path.join(entry.path, "status"), encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("Uid:"):
                            if int(line.split()[1]) == uid:
                                return True
                            break
            except (OSError, ValueError, IndexError):
                continue
    return False


async def _kill_uid(interpreter: str, uid: int) -> None:
    """Kill every process of ``uid`` (``kill(-1, SIGKILL)`` sent as that uid)."""
    process = await asyncio.create_subprocess_exec(
        interpreter,
        *PYTHON_FLAGS,
        "-c",
        "import os, signal; os.kill(-1, signal.SIGKILL)",
        user=uid,
        group=uid,
        extra_groups=[],
        env={},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await process.wait()


def _to_result(finished: Finished, plan: _Plan, limits: Limits) -> RunResult:
    stderr = finished.stderr.decode("utf-8", "replace")
    if not finished.status.startswith(STATUS_READY) and not finished.wall_timed_out:
        raise SandboxError("the sandbox did not start the program", stderr=stderr)
    exit_code, term_signal = split_exit_status(
        finished.returncode, through_bwrap=plan.isolation == "bwrap"
    )
    verdict, message = decide_verdict(
        exit_code=exit_code,
        term_signal=term_signal,
        wall_timed_out=finished.wall_timed_out,
        output_exceeded=finished.output_exceeded,
        memory_error=STATUS_MEMORY_ERROR in finished.status[1:],
        cpu_ms=finished.cpu_ms,
        limits=limits,
    )
    return RunResult(
        verdict=verdict,
        message=message,
        exit_code=exit_code,
        term_signal=term_signal,
        stdout=finished.stdout.decode("utf-8", "replace"),
        stderr=stderr,
        stdout_bytes=finished.stdout_bytes,
        stderr_bytes=finished.stderr_bytes,
        stdout_truncated=finished.stdout_bytes > len(finished.stdout),
        stderr_truncated=finished.stderr_bytes > len(finished.stderr),
        duration_ms=finished.duration_ms,
        cpu_ms=finished.cpu_ms,
        isolation=plan.isolation,
        unenforced=plan.unenforced,
        limits=limits,
    )


__all__ = ["PYTHON_FLAGS", "RUN_UID_BASE", "RUN_UID_SPAN", "IsolationChoice", "SandboxRunner"]
