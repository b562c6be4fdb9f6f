"""A real ``assay serve`` in a subprocess, for acceptance tests (they drive real entry points).

``running_server(tmp_dir)`` creates a SQLite database and a blob directory under ``tmp_dir``,
creates a user with ``assay users create`` (its token is the last stdout line), starts
``assay serve`` on a free port and waits for ``GET /api/health``; on exit the server is terminated.
"""

from __future__ import annotations

import os
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


def assay_env(tmp_dir: Path) -> dict[str, str]:
    """Environment for the CLI: a SQLite database and a blob directory under ``tmp_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env["ASSAY_DATABASE_URL"] = f"sqlite:///{tmp_dir / 'a.db'}"
    env["ASSAY_BLOB_DIR"] = str(tmp_dir / "blobs")
    return env


def run_cli(*args: str, env: dict[str, str]) -> str:
    """Run ``python -m assay.cli.main <args>``; returns stdout, raises with stderr on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "assay.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
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
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_dir / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assay.cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(base_url, proc, log_path)
            yield LiveServer(base_url=base_url, token=token, env=env, log_path=log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


__all__ = ["LiveServer", "assay_env", "create_user", "free_port", "run_cli", "running_server"]
