"""``assay take`` Ctrl-C and ``--resume``, ``assay sessions list``, ``assay users`` tokens.

The real CLI in a subprocess (issue 14 items 10 and 13), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import httpx
from tests.acceptance._server import cli
from tests.acceptance.test_cli import QUIZ, SESSION, Terminal, all_rows, cli_env, right_index

from assay.api.app import create_app
from assay.blobs import MemoryBlobStore
from assay.config import Settings
from assay.services import build_services
from assay.storage import Database

#: A hang guard only (the process normally exits well under a second after SIGINT).
EXIT_GUARD_S = 10.0


async def test_ctrl_c_exits_130_with_a_hint_and_resume_finishes_the_session(
    db_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, db_url)
    with Terminal(QUIZ, "--seed", "5", env=env) as terminal:
        session_id = terminal.expect(SESSION)[1]
        for _ in range(2):
            _, prompt, options = terminal.question()
            terminal.type(str(right_index(prompt, options) + 1))
        number, prompt3, options3 = terminal.question()
        assert number == 3
        terminal.proc.send_signal(signal.SIGINT)
        try:
            terminal.proc.wait(timeout=EXIT_GUARD_S)
        except subprocess.TimeoutExpired:
            raise AssertionError("take did not exit after one Ctrl-C") from None
        code, out, err = terminal.finish()
    assert code == 130, (out, err)
    assert "Traceback" not in out + err and "CancelledError" not in out + err, err
    assert "assay take --resume" in out and session_id in out, out

    with Terminal("--resume", env=env) as terminal:
        resumed = terminal.expect(re.compile(r"Session (sess_\w+): resuming after 2 of 10"))
        assert resumed[1] == session_id
        number, prompt, options = terminal.question()
        assert (number, prompt, options) == (3, prompt3, options3)
        while True:
            terminal.type(str(right_index(prompt, options) + 1))
            if number == 10:
                break
            number, prompt, options = terminal.question()
        code, out, err = terminal.finish()
    assert code == 0, err
    assert "Score: 10/10" in out, out

    listed = cli("sessions", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if session_id in line)
    assert "completed" in row and "10/10 (100%)" in row, listed.stdout

    again = cli("take", "--resume", session_id, env=env)
    assert again.returncode == 1 and "has ended" in again.stderr, again.stderr
    nothing = cli("take", "--resume", env=env)
    assert nothing.returncode == 1 and "no open session" in nothing.stderr, nothing.stderr


async def test_users_list_token_reissue_and_revoke_over_http(db_url: str, tmp_path: Path) -> None:
    env = cli_env(tmp_path, db_url)
    created = cli("users", "create", "carol", env=env)
    assert created.returncode == 0, created.stderr
    first = created.stdout.strip().splitlines()[-1]

    settings = Settings(database_url=db_url, blob_dir=tmp_path / "blobs")
    db = await Database.connect(db_url, upgrade=False)
    services = await build_services(settings, db=db, blobs=MemoryBlobStore())
    app = create_app(settings, services=services)

    async def status(token: str) -> int:
        response = await client.get("/api/sessions", headers={"Authorization": f"Bearer {token}"})
        return response.status_code

    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                assert await status(first) == 200

                reissued = cli("users", "token", "carol", env=env)
                assert reissued.returncode == 0, reissued.stderr
                second = reissued.stdout.strip().splitlines()[-1]
                assert second != first and reissued.stdout.count(second) == 1
                assert (await status(first), await status(second)) == (401, 200)

                listed = cli("users", "list", env=env)
                assert listed.returncode == 0, listed.stderr
                row = next(line for line in listed.stdout.splitlines() if "carol" in line)
                assert re.search(r"\d{4}-\d\d-\d\dT", row) and row.split("│")[-2].strip() == "1"

                revoked = cli("users", "revoke", "carol", env=env)
                assert revoked.returncode == 0, revoked.stderr
                assert await status(second) == 401
                listed = cli("users", "list", env=env)
                row = next(line for line in listed.stdout.splitlines() if "carol" in line)
                assert row.split("│")[-2].strip() == "0"
    finally:
        await db.close()
    dumped = repr(await all_rows(db_url))
    assert first not in dumped and second not in dumped
