"""The real ``assay`` command line (issue 2), on SQLite and on PostgreSQL.

Every test runs ``python -m assay.cli.main`` in a subprocess with ``ASSAY_DATABASE_URL`` and
``ASSAY_BLOB_DIR`` pointing at a fresh database and a directory under the test's tmp dir, in an
80-column non-terminal output (what a pipe or a CI log gets). ``take`` is driven like a person at
a terminal: the test reads each question as it is printed, computes the answer from it, and types
a right, a wrong or an invalid answer.
"""

from __future__ import annotations

import hashlib
import os
import re
import selectors
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from tests.acceptance._server import arithmetic_answer, assay_env, cli
from tests.conftest import IN_CI, _pg_admin, _pg_base

from assay.config import Settings
from assay.services import Services, build_services
from assay.storage import Database
from assay.users import authenticate, get_or_create_user

QUIZ = "MATH-QUIZ-10"
#: Seconds to wait for the next piece of ``take`` output before failing (a hang guard only).
READ_TIMEOUT_S = 60.0

QUESTION = re.compile(
    r"Question (?P<number>\d+) of (?P<total>\d+)[^\n]*\n(?P<prompt>[^\n]+)\n"
    r"(?P<options>(?:  \d+\. [^\n]*\n)+)Your answer \(1-(?P<count>\d+)\): "
)
REASK = re.compile(r"Type a number from 1 to (\d+)\.\s*\nYour answer \(1-\1\): ")
SESSION = re.compile(r"Session (sess_\w+)")


def cli_env(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    env = assay_env(tmp_path, database_url=database_url)
    env["COLUMNS"] = "80"
    env.pop("FORCE_COLOR", None)
    return env


@pytest.fixture
async def empty_db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """URL of an empty database (no tables at all) on each backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"assay_empty_{uuid.uuid4().hex[:12]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable under CI=true: {exc!r}")
        pytest.skip(f"PostgreSQL unreachable: {exc!r}")
    yield f"{_pg_base()}/{name}"
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the database at ``url``."""
    db = await Database.connect(url, upgrade=False)
    try:
        async with db.read() as conn:
            names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
            return {
                name: [tuple(r) for r in await conn.execute(sa.text(f'SELECT * FROM "{name}"'))]
                for name in names
            }
    finally:
        await db.close()


class Terminal:
    """``assay take`` in a subprocess, read as it prints and answered line by line."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assay.cli.main", "take", *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.output = ""
        self.position = 0

    def _read_more(self) -> bool:
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            if not selector.select(READ_TIMEOUT_S):
                raise AssertionError(f"take printed nothing for {READ_TIMEOUT_S} s:\n{self.output}")
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        self.output += chunk.decode()
        return bool(chunk)

    def expect(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """Wait until ``pattern`` is printed after what was already matched."""
        while (found := pattern.search(self.output, self.position)) is None:
            if not self._read_more():
                raise AssertionError(f"take ended before {pattern.pattern!r}:\n{self.output}")
        self.position = found.end()
        return found

    def question(self) -> tuple[int, str, list[str]]:
        """The next question: its number, prompt and options."""
        found = self.expect(QUESTION)
        options = re.findall(r"  \d+\. ([^\n]*)\n", found["options"])
        assert len(options) == int(found["count"])
        return int(found["number"]), found["prompt"], options

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{line}\n".encode())
        self.proc.stdin.flush()

    def finish(self, *, close_stdin: bool = False) -> tuple[int, str, str]:
        """Wait for the exit (closing stdin first if asked); returns code, stdout, stderr."""
        assert self.proc.stdin is not None and self.proc.stderr is not None
        if close_stdin:
            self.proc.stdin.close()
        while self._read_more():
            pass
        code = self.proc.wait(timeout=READ_TIMEOUT_S)
        return code, self.output, self.proc.stderr.read().decode()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        """Kill ``take`` if it still runs (a failed test) and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


def right_index(prompt: str, options: list[str]) -> int:
    return options.index(arithmetic_answer(prompt))


async def terminal_services(env: dict[str, str]) -> Services:
    """The same services ``assay take`` builds, in this process, on the same database."""
    settings = Settings(
        database_url=env["ASSAY_DATABASE_URL"], blob_dir=Path(env["ASSAY_BLOB_DIR"])
    )
    return await build_services(settings)


# -- users create ---------------------------------------------------------------------------
async def test_users_create_prints_the_token_once_last_and_stores_only_its_hash(
    db_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, db_url)
    done = cli("users", "create", "alice", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    token = lines[-1].strip()
    assert len(token) >= 32 and " " not in token
    assert done.stdout.count(token) == 1

    db = await Database.connect(db_url, upgrade=False)
    try:
        user = await authenticate(db, token=token)
        assert user is not None and user.name == "alice"
        assert await authenticate(db, token=token[:-1]) is None
    finally:
        await db.close()
    rows = await all_rows(db_url)
    dumped = repr(rows)
    assert token not in dumped
    assert hashlib.sha256(token.encode()).hexdigest() in dumped
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if file.exists():
                assert token.encode() not in file.read_bytes(), file

    again = cli("users", "create", "alice", env=env)
    assert again.returncode != 0
    assert "alice" in again.stderr and "already exists" in again.stderr, again.stderr
    assert again.stdout == ""
    assert len((await all_rows(db_url))["users"]) == 1


def test_users_create_refuses_a_malformed_name_naming_the_field(tmp_path: Path) -> None:
    done = cli("users", "create", "bad name", env=cli_env(tmp_path))
    assert done.returncode != 0
    assert "name" in done.stderr and "letters" in done.stderr, done.stderr
    assert done.stdout == ""


# -- db upgrade -----------------------------------------------------------------------------
async def test_db_upgrade_migrates_an_empty_database_and_is_idempotent(
    backend: str, empty_db_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, empty_db_url)
    for _ in range(2):
        done = cli("db", "upgrade", env=env)
        assert done.returncode == 0, done.stderr
        assert backend in done.stdout
    tables = set(await all_rows(empty_db_url))
    assert {"alembic_version", "users", "sessions"} <= tables, tables


# -- blueprints -----------------------------------------------------------------------------
def test_blueprints_list_names_every_assessment_in_full(tmp_path: Path) -> None:
    done = cli("blueprints", "list", env=cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert QUIZ in done.stdout
    assert "MATH-FUNDAMENTALS-L1" in done.stdout, done.stdout


def test_blueprints_show_prints_yaml_of_the_blueprint(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    done = cli("blueprints", "show", QUIZ, env=env)
    assert done.returncode == 0, done.stderr
    shown = yaml.safe_load(done.stdout)
    assert shown["assessment_id"] == QUIZ
    assert shown["total_items"] == 10
    assert sum(section["item_count"] for section in shown["sections"]) == 10

    skill_id = shown["sections"][0]["skill_blueprints"][0]
    skill = cli("blueprints", "show", skill_id, env=env)
    assert skill.returncode == 0, skill.stderr
    assert skill_id in yaml.safe_load(skill.stdout).values()


def test_blueprints_show_unknown_fails_naming_it(tmp_path: Path) -> None:
    done = cli("blueprints", "show", "NOPE", env=cli_env(tmp_path))
    assert done.returncode != 0
    assert "NOPE" in done.stderr, done.stderr
    assert done.stdout == ""


# -- take -----------------------------------------------------------------------------------
async def test_take_answers_in_the_terminal_reasks_invalid_input_and_prints_the_score(
    db_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, db_url)
    typed: dict[int, int] = {}
    with Terminal(QUIZ, env=env) as terminal:
        session_id = terminal.expect(SESSION)[1]
        for expected_number in range(1, 11):
            number, prompt, options = terminal.question()
            assert number == expected_number
            right = right_index(prompt, options)
            if number == 3:  # invalid input is re-asked, then the right answer counts
                for invalid in (str(len(options) + 5), "x"):
                    terminal.type(invalid)
                    terminal.expect(REASK)
            chosen = (right + 1) % len(options) if number in (2, 5, 9) else right
            terminal.type(str(chosen + 1))
            typed[number] = chosen
        code, out, err = terminal.finish()
    assert code == 0, err
    score = re.search(r"Score: (\d+)/(\d+)", out[terminal.position :])
    assert score is not None, out
    assert (int(score[1]), int(score[2])) == (7, 10)

    services = await terminal_services(env)
    try:
        user = await get_or_create_user(services.db, name="terminal")
        results = await services.sessions.results(user_id=user.id, session_id=session_id)
    finally:
        await services.close()
    assert results["status"] == "completed"
    assert [i["response"] for i in results["items"]] == [{"index": typed[n]} for n in range(1, 11)]
    assert results["correct_count"] == 7


async def test_take_unknown_blueprint_fails_naming_it(db_url: str, tmp_path: Path) -> None:
    done = cli("take", "NOPE", env=cli_env(tmp_path, db_url))
    assert done.returncode != 0
    assert "NOPE" in done.stderr, (done.stdout, done.stderr)


async def test_take_with_input_closed_midway_exits_non_zero_and_leaves_the_session_resumable(
    db_url: str, tmp_path: Path
) -> None:
    env = cli_env(tmp_path, db_url)
    typed = []
    with Terminal(QUIZ, "--seed", "11", env=env) as terminal:
        session_id = terminal.expect(SESSION)[1]
        for _ in range(3):
            _, prompt, options = terminal.question()
            typed.append(right_index(prompt, options))
            terminal.type(str(typed[-1] + 1))
        number, prompt, options = terminal.question()
        assert number == 4
        code, out, _ = terminal.finish(close_stdin=True)
    assert code != 0
    assert session_id in out[terminal.position :] and "open" in out[terminal.position :]

    services = await terminal_services(env)
    try:
        user = await get_or_create_user(services.db, name="terminal")
        sessions = services.sessions
        view = await sessions.view(user_id=user.id, session_id=session_id)
        assert (view["status"], view["items_answered"]) == ("awaiting_client_action", 3)
        answered = 3
        while True:
            action = None
            async for name, data in await sessions.stream(user_id=user.id, session_id=session_id):
                if name == "client_action":
                    action = data
            if action is None:
                break
            if action["item_number"] == 4:  # the question the terminal showed last
                assert (action["props"]["prompt"], action["props"]["options"]) == (prompt, options)
            assert action["item_number"] == answered + 1
            answered += 1
            await sessions.respond(
                user_id=user.id,
                session_id=session_id,
                tool_call_id=action["tool_call_id"],
                response={"index": 0},
            )
        results = await sessions.results(user_id=user.id, session_id=session_id)
    finally:
        await services.close()
    assert (results["status"], results["answered"]) == ("completed", 10)
    assert [i["response"] for i in results["items"][:3]] == [{"index": i} for i in typed]
