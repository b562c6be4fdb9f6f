"""A real ``assay serve`` in a subprocess, for acceptance tests (they drive real entry points).

``running_server(tmp_dir)`` creates a SQLite database and a blob directory under ``tmp_dir``,
creates a user with ``assay users create`` (its token is the last stdout line), starts
``assay serve`` on a free port and waits for ``GET /api/health``; on exit the server is terminated.

``ServerProcess`` is the same server as an object that can be SIGKILLed and restarted on the same
database and port (crash-recovery tests); ``arithmetic_answer`` solves a generated arithmetic
question so that a test can answer right or wrong on purpose.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

#: Seconds to wait for ``/api/health`` after starting the server (migrations run at start-up).
STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL (no trailing slash), a user's API token and the env used."""

    base_url: str
    token: str
    env: dict[str, str]
    log_path: Path

    def client(self) -> httpx.Client:
        """An HTTP client on the server, authenticated with the user's token."""
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30.0
        )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def assay_env(tmp_dir: Path, *, database_url: str | None = None) -> dict[str, str]:
    """Environment for the CLI: a database (SQLite under ``tmp_dir`` unless ``database_url``)
    and a blob directory under ``tmp_dir``; no other ``ASSAY_*`` variable leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env["ASSAY_DATABASE_URL"] = database_url or f"sqlite:///{tmp_dir / 'a.db'}"
    env["ASSAY_BLOB_DIR"] = str(tmp_dir / "blobs")
    return env


def cli(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``python -m assay.cli.main <args>`` with ``stdin``; returns the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "assay.cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_cli(*args: str, env: dict[str, str]) -> str:
    """Run ``python -m assay.cli.main <args>``; returns stdout, raises with stderr on failure."""
    done = cli(*args, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"assay {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def create_user(name: str, *, env: dict[str, str]) -> str:
    """Create a user with ``assay users create``; returns its API token (the last stdout line)."""
    return run_cli("users", "create", name, env=env).strip().splitlines()[-1]


def _wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{base_url}/api/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"assay serve did not become healthy; log:\n{log_path.read_text()[-4000:]}")


class ServerProcess:
    """``assay serve`` in a subprocess that can be SIGKILLed and restarted on the same port.

    Every start appends to ``log_path``. Use as a context manager to stop it on exit.

    Args:
        env: Environment of the server (see :func:`assay_env`).
        log_path: File receiving the server's stdout and stderr.
        port: TCP port on 127.0.0.1 (a free one by default); kept across restarts.
    """

    def __init__(self, env: dict[str, str], *, log_path: Path, port: int | None = None) -> None:
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start the server and wait until ``/api/health`` answers.

        Raises:
            RuntimeError: If it is not healthy within ``STARTUP_TIMEOUT_S`` (log in the message).
        """
        assert self.proc is None, "the server is already running"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "assay.cli.main",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        _wait_healthy(self.base_url, self.proc, self.log_path)

    def kill(self) -> None:
        """SIGKILL the server (no shutdown code runs) and reap it; no-op if it is not running."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL)  # a no-op if it already exited
        self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        """Terminate the server gracefully (SIGKILL after 15 s); no-op if it is not running."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def running_server(tmp_dir: Path, *, user: str = "alice") -> Iterator[LiveServer]:
    """Start ``assay serve`` on a fresh database under ``tmp_dir``; yields a :class:`LiveServer`.

    Raises:
        RuntimeError: If a CLI command fails or the server is not healthy within
            ``STARTUP_TIMEOUT_S`` (the server log is in the message).
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    env = assay_env(tmp_dir)
    token = create_user(user, env=env)
    with ServerProcess(env, log_path=tmp_dir / "server.log") as server:
        server.start()
        yield LiveServer(base_url=server.base_url, token=token, env=env, log_path=server.log_path)


_QUESTION = re.compile(r"(\d+)\s*([-+×÷])\s*(\d+)")
_OPERATIONS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "×": lambda a, b: a * b,
    "÷": lambda a, b: a // b,
}


def arithmetic_answer(prompt: str) -> str:
    """The answer of a generated arithmetic question, as option text.

    Example:
        ``arithmetic_answer("Calculate: 68 ÷ 2 = ?") == "34"``

    Raises:
        ValueError: If ``prompt`` holds no ``a <op> b`` expression.
    """
    found = _QUESTION.search(prompt)
    if found is None:
        raise ValueError(f"prompt: no 'a <op> b' expression in {prompt!r}")
    a, op, b = found.groups()
    return str(_OPERATIONS[op](int(a), int(b)))


__all__ = [
    "LiveServer",
    "ServerProcess",
    "arithmetic_answer",
    "assay_env",
    "cli",
    "create_user",
    "free_port",
    "run_cli",
    "running_server",
]
