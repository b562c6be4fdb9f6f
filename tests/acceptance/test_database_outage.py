"""A real ``assay serve`` on PostgreSQL keeps answering JSON while the database goes away
(issue 14, item 3), and serves again afterwards without a restart.

Clients send requests in a loop (create a session, list, view) while the server's database
connections are cut: by ``pg_terminate_backend`` on its own database (as a restart does to open
connections, without touching other databases), and by a real restart of the PostgreSQL cluster
(``pg_ctlcluster --skip-systemctl-redirect 15 main restart``), which also refuses new connections
for a moment. Every answer must be JSON; a failed one 503 ``database_unavailable`` with
``Retry-After``; afterwards every request succeeds on the same server process.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from tests.acceptance._server import ServerProcess, assay_env, create_user
from tests.conftest import IN_CI, PG_ADMIN_URL, _pg_admin, _pg_base

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ITEMS = [{"stem": "What is 2+2?", "options": ["3", "4"], "correct": 1}]


@dataclass
class Outage:
    server: ServerProcess
    token: str
    database: str
    answers: list[httpx.Response] = field(default_factory=list)

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.base_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60.0,
        )

    def one_round(self, api: httpx.Client) -> list[httpx.Response]:
        created = api.post("/api/sessions", json={"config": {"items": ITEMS}})
        done = [created, api.get("/api/sessions", params={"limit": 5})]
        if created.status_code == 201:
            done.append(api.get(f"/api/sessions/{created.json()['session_id']}"))
        return done

    def under_load(self, cut: threading.Event, clients: int = 3) -> None:
        """Requests from ``clients`` threads until ``cut`` is set and a little after."""
        stop = threading.Event()
        lock = threading.Lock()

        def run() -> None:
            with self.client() as api:
                while not stop.is_set():
                    got = self.one_round(api)
                    with lock:
                        self.answers += got

        threads = [threading.Thread(target=run) for _ in range(clients)]
        for t in threads:
            t.start()
        cut.wait()
        stop.set()
        for t in threads:
            t.join()


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[Outage]:
    name = f"assay_outage_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable under CI=true: {exc!r}")
        pytest.skip(f"PostgreSQL unreachable: {exc!r}")
    env = assay_env(tmp_path, database_url=f"{_pg_base()}/{name}")
    token = create_user("alice", env=env)
    with ServerProcess(env, log_path=tmp_path / "server.log") as server:
        server.start()
        yield Outage(server, token, name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def check_answers(outage: Outage) -> None:
    assert outage.answers
    for r in outage.answers:
        assert r.headers["content-type"].startswith("application/json"), (r.status_code, r.text)
        r.json()
        assert r.headers.get("x-request-id")
        if r.status_code >= 400:
            assert r.status_code == 503, r.text
            assert r.json()["error"] == "database_unavailable" and r.headers["retry-after"]
    with outage.client() as api:  # the same server serves again: retry as Retry-After says
        for _ in range(30):
            if all(r.status_code < 400 for r in outage.one_round(api)):
                break
            time.sleep(2)
        for _ in range(5):
            assert [r.status_code for r in outage.one_round(api)] == [201, 200, 200]
    log = outage.server.log_path.read_text()
    assert "Traceback" not in log and "Internal Server Error" not in log, log[-4000:]


async def _terminate_backends(database: str) -> None:
    await _pg_admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )


def test_cut_connections_answer_json_and_the_server_recovers(outage: Outage) -> None:
    cut = threading.Event()

    def cutter() -> None:
        for _ in range(6):
            time.sleep(0.5)
            asyncio.run(_terminate_backends(outage.database))
        time.sleep(0.5)
        cut.set()

    threading.Thread(target=cutter).start()
    outage.under_load(cut)
    assert any(r.status_code == 503 for r in outage.answers)  # the cuts were felt
    check_answers(outage)


def _pg_ready() -> bool:
    host = PG_ADMIN_URL.split("@", 1)[1].split("/", 1)[0]
    return subprocess.run(["pg_isready", "-h", host.split(":")[0], "-q"]).returncode == 0


def test_a_postgresql_restart_answers_json_and_the_server_recovers(outage: Outage) -> None:
    cut = threading.Event()

    def restart() -> None:
        time.sleep(1.0)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"],
            check=True,
            timeout=120,
        )
        while not _pg_ready():
            time.sleep(0.2)
        time.sleep(1.0)
        cut.set()

    threading.Thread(target=restart).start()
    outage.under_load(cut)
    check_answers(outage)
