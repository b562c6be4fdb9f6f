"""The sandbox launcher: the first code the sandboxed interpreter runs (standard library only).

Run inside the sandbox as::

    python -I -S -B -X utf8 launcher.py CONFIG_JSON MAIN_PATH [ARG...]

It is a script, not a module the host imports for behaviour; the host reads its text and
copies it beside the program.

With ``"init": true`` (under bubblewrap, where it is the pid namespace's pid 1) it first
forks: the parent stays as the sandbox's init, with the credentials bubblewrap gave it, so
that ``--die-with-parent`` can still kill it (and with it the whole namespace) when the host
dies; it reaps every process in the sandbox and, when the program's process ends, exits with
its exit code (``128 + N`` for signal N), so that the program's CPU time reaches the host's
``wait4``. The child, or the launcher itself without ``"init"``, then:

1. applies the ``rlimits`` of CONFIG (``{"RLIMIT_CPU": [soft, hard], ...}``). They are set
   here, inside the sandbox, so that ``RLIMIT_NPROC`` counts the tasks of this sandbox's user
   namespace (or of the uid below) rather than every process of the host user;
2. with ``"uid"``/``"gid"``: drops to that uid and gid (the host runs as root, for whom the
   kernel never enforces ``RLIMIT_NPROC``; dropping also drops every capability);
3. with ``"die_with_parent"`` (rlimits-only mode): asks the kernel for SIGKILL when the
   parent dies (``PR_SET_PDEATHSIG``, after step 2, which would clear it) and exits at once
   if the parent is no longer ``"parent_pid"``;
4. writes ``b"R"`` to ``status_fd``: the program starts now. The host treats a run without
   it as a sandbox failure, never as the program's. The host holds the only read end, so the
   write fails (and the launcher stops) when the host has died meanwhile;
5. runs MAIN_PATH as ``__main__`` with ``sys.argv = [MAIN_PATH, ARG...]`` and its directory
   first on ``sys.path``, as ``python MAIN_PATH`` would; an uncaught ``MemoryError`` writes
   ``b"M"`` to ``status_fd`` (verdict ``memory_limit``); other uncaught exceptions print a
   traceback trimmed to the program's own frames and exit with 1.
"""

from __future__ import annotations

import builtins
import json
import os
import resource
import signal
import sys
import types
from typing import Any

STATUS_READY = b"R"
STATUS_MEMORY_ERROR = b"M"
_PR_SET_PDEATHSIG = 1
_PARENT_GONE_EXIT_CODE = 125
_SIGNAL_EXIT_BASE = 128


def _apply_rlimits(rlimits: dict[str, list[int]]) -> None:
    for name, (soft, hard) in rlimits.items():
        resource.setrlimit(getattr(resource, name), (soft, hard))


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _die_with_parent(parent_pid: int | None) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(_PARENT_GONE_EXIT_CODE)


def _print_exception(exc: BaseException, main_path: str) -> None:
    """Print a traceback that starts at the program's own outermost frame."""
    try:
        import traceback

        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != main_path:
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
    except BaseException:  # out of memory again, or stderr closed: the exit code still says it
        pass


def _run_main(main_path: str, status_fd: int) -> int:
    with open(main_path, "rb") as source_file:
        source = source_file.read()
    module = types.ModuleType("__main__")
    module.__file__ = main_path
    sys.modules["__main__"] = module
    sys.path.insert(0, os.path.dirname(main_path))
    try:
        exec(compile(source, main_path, "exec"), module.__dict__)
    except SystemExit:
        raise
    except MemoryError as exc:
        os.write(status_fd, STATUS_MEMORY_ERROR)
        _print_exception(exc, main_path)
        return 1
    except BaseException as exc:
        _print_exception(exc, main_path)
        return 1
    return 0


def _serve_as_init(program_pid: int) -> int:
    """Reap every process until the program's ends; return its exit code for the host."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 1
        if pid == program_pid:
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else _SIGNAL_EXIT_BASE - code


def main(argv: list[str]) -> int:
    """Set the sandbox up from ``argv[1]`` (CONFIG_JSON) and run ``argv[2]``."""
    config: dict[str, Any] = json.loads(argv[1])
    if config.get("init"):
        program_pid = os.fork()
        if program_pid:
            return _serve_as_init(program_pid)
    return _start(config, argv[2], argv[3:])


def _start(config: dict[str, Any], main_path: str, program_args: list[str]) -> int:
    status_fd = int(config["status_fd"])
    _apply_rlimits(config["rlimits"])
    if config.get("uid") is not None:
        _drop_privileges(int(config["uid"]), int(config["gid"]))
    if config.get("die_with_parent"):
        _die_with_parent(config.get("parent_pid"))
    os.set_inheritable(status_fd, False)
    sys.argv = [main_path, *program_args]
    builtins.exit = builtins.quit = sys.exit  # type: ignore[assignment]  # -S leaves them out
    os.write(status_fd, STATUS_READY)
    return _run_main(main_path, status_fd)


__all__ = ["STATUS_MEMORY_ERROR", "STATUS_READY", "main"]

if __name__ == "__main__":
    sys.exit(main(sys.argv))
