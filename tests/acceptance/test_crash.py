"""Crash recovery of a real ``assay serve`` (issue 2), on SQLite and on PostgreSQL.

"After SIGKILL of the server at any moment and a restart, the stream resumes at the same pending
item; nothing answered is lost or counted twice." A student answers MATH-QUIZ-10 over HTTP while
the server is SIGKILLed at several moments (awaiting an answer, right after a respond, during a
stream, during a respond, several times in a row) and restarted on the same database and port.

The student behaves like a real client: it re-sends a respond whose answer it never received,
and after every restart it checks that

* the next ``client_action`` is the one it saw before the kill (same ``tool_call_id``,
  ``item_number``, prompt and options), or the next item when its answer was accepted;
* repeating an accepted ``tool_call_id`` with its answer returns the first result;
* the server counts exactly the answers it accepted.

At the end the results hold items 1..10 once each, with the answers sent, scored as computed
from the printed questions, and the archived transcript has exactly one tool result per tool
call.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import httpx_sse
from tests.acceptance._server import ServerProcess, arithmetic_answer, assay_env, create_user

from assay.blobs import LocalBlobStore
from assay.sessions.views import transcript_key

QUIZ = "MATH-QUIZ-10"
TOTAL = 10
#: What a resumed stream must repeat of the action seen before the kill (not the clock).
SAME_ACTION_KEYS = (
    "tool_call_id",
    "tool_name",
    "widget_type",
    "props",
    "item_number",
    "total_items",
)


class Student:
    """An HTTP client taking one session, keeping what it saw and what the server accepted.

    Attributes:
        pending: The client action last seen whose answer was not yet accepted.
        answers: Option index accepted per item number.
        accepted: First respond result per tool call id.
        unconfirmed: ``(action, index)`` of a respond whose outcome was lost in a kill.
        kills: How many times the server was SIGKILLed.
    """

    def __init__(self, server: ServerProcess, token: str) -> None:
        self.server = server
        self.headers = {"Authorization": f"Bearer {token}"}
        self.session_id = ""
        self.pending: dict[str, Any] | None = None
        self.answers: dict[int, int] = {}
        self.option_counts: dict[int, int] = {}
        self.accepted: dict[str, dict[str, Any]] = {}
        self.unconfirmed: tuple[dict[str, Any], int] | None = None
        self.kills = 0

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, headers=self.headers, timeout=30.0)

    def create(self, *, seed: int) -> None:
        body = {"session_type": "evaluation", "config": {"blueprint_id": QUIZ, "seed": seed}}
        with self.client() as api:
            created = api.post("/api/sessions", json=body)
        assert created.status_code == 201, created.text
        self.session_id = created.json()["session_id"]

    # -- observing the stream -----------------------------------------------------------
    def observe(self, action: dict[str, Any]) -> None:
        """Check a ``client_action`` against what was seen and accepted before."""
        assert action["item_number"] == len(self.answers) + 1, (action, self.answers)
        if self.pending is not None:
            seen = {k: self.pending[k] for k in SAME_ACTION_KEYS}
            assert {k: action[k] for k in SAME_ACTION_KEYS} == seen
        self.pending = action

    def stream(self) -> dict[str, Any] | None:
        """One full stream: the pending client action, or ``None`` once the session completed."""
        action: dict[str, Any] | None = None
        names = []
        with self.client() as api, httpx_sse.connect_sse(api, "GET", self.stream_path) as events:
            assert events.response.status_code == 200, events.response.read()
            for event in events.iter_sse():
                names.append(event.event)
                data = json.loads(event.data)
                if event.event == "client_action":
                    self.observe(data)
                    action = data
                elif event.event == "run_suspended":
                    assert action is not None and data["tool_call_id"] == action["tool_call_id"]
                    return action
                elif event.event == "session_completed":
                    assert data["status"] == "completed", data
                    assert len(self.answers) == TOTAL
                    return None
                else:
                    assert event.event == "connected", (event.event, data)
        raise AssertionError(f"the stream ended without suspending or completing: {names}")

    def next_action(self) -> dict[str, Any]:
        """One full stream that must suspend on a client action (the session is not over)."""
        action = self.stream()
        assert action is not None, "the session completed early"
        return action

    def stream_and_kill(self, *, on_event: str = "connected", delay_s: float | None = None) -> None:
        """Start a stream and SIGKILL the server when ``on_event`` arrives, or ``delay_s`` after
        the request starts; keep every event that still arrives, then restart."""
        timer = None if delay_s is None else threading.Timer(delay_s, self.server.kill)
        if timer is not None:
            timer.start()
        try:
            with self.client() as api, httpx_sse.connect_sse(api, "GET", self.stream_path) as ev:
                for event in ev.iter_sse():
                    if event.event == "client_action":
                        self.observe(json.loads(event.data))
                    if timer is None and event.event == on_event:
                        self.server.kill()
        except httpx.TransportError:
            pass  # the kill cut the stream (or refused it): that is the point
        finally:
            if timer is not None:
                timer.join()
        self.restart()

    @property
    def stream_path(self) -> str:
        return f"/api/sessions/{self.session_id}/stream"

    # -- answering ----------------------------------------------------------------------
    def choose(self, action: dict[str, Any]) -> int:
        """The right option for items 1, 2, 4, 5, 7, 8, 10; a wrong one for items 3, 6, 9."""
        options: list[str] = action["props"]["options"]
        right = options.index(arithmetic_answer(action["props"]["prompt"]))
        return right if action["item_number"] % 3 else (right + 1) % len(options)

    def post_respond(self, action: dict[str, Any], index: int) -> httpx.Response:
        body = {"tool_call_id": action["tool_call_id"], "response": {"index": index}}
        with self.client() as api:
            return api.post(f"/api/sessions/{self.session_id}/respond", json=body)

    def accept(self, action: dict[str, Any], index: int, answer: httpx.Response) -> None:
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["accepted"] is True
        assert (result["tool_call_id"], result["item_number"]) == (
            action["tool_call_id"],
            action["item_number"],
        )
        self.accepted.setdefault(action["tool_call_id"], result)
        assert result == self.accepted[action["tool_call_id"]]
        self.answers[action["item_number"]] = index
        self.option_counts[action["item_number"]] = len(action["props"]["options"])
        self.pending = None
        self.unconfirmed = None

    def respond(self, action: dict[str, Any]) -> None:
        index = self.choose(action)
        self.accept(action, index, self.post_respond(action, index))

    def respond_and_kill(self, action: dict[str, Any], *, delay_s: float) -> None:
        """Send the answer and SIGKILL the server ``delay_s`` later; the outcome may be lost."""
        index = self.choose(action)
        self.unconfirmed = (action, index)
        timer = threading.Timer(delay_s, self.server.kill)
        timer.start()
        try:
            answer = self.post_respond(action, index)
        except httpx.TransportError:
            answer = None
        timer.join()
        if answer is not None:
            self.accept(action, index, answer)
        self.restart()

    # -- after a restart ----------------------------------------------------------------
    def restart(self) -> None:
        """SIGKILL the server if it still runs, start it again and check what it kept."""
        self.server.kill()
        self.kills += 1
        self.server.start()
        if self.unconfirmed is not None:  # a client re-sends what it never got an answer to
            action, index = self.unconfirmed
            self.accept(action, index, self.post_respond(action, index))
        for tool_call_id, first in self.accepted.items():
            number = first["item_number"]
            same = self.post_respond({"tool_call_id": tool_call_id}, self.answers[number])
            assert same.status_code == 200, same.text  # an identical replay is idempotent
            assert same.json() == first
            other = (self.answers[number] + 1) % self.option_counts[number]
            repeat = self.post_respond({"tool_call_id": tool_call_id}, other)
            assert repeat.status_code == 409, repeat.text  # a different answer is refused
            assert repeat.json()["error"] == "answer_conflict" and repeat.json()["answered_at"]
        with self.client() as api:
            view = api.get(f"/api/sessions/{self.session_id}").json()
        assert view["items_answered"] == len(self.answers), view
        assert view["status"] in ("active", "awaiting_client_action"), view


def awaiting_answer(student: Student) -> None:
    student.stream()
    student.restart()
    student.respond(student.next_action())


def after_respond(student: Student) -> None:
    student.respond(student.next_action())
    student.restart()


def during_stream(
    *, on_event: str = "connected", delay_s: float | None = None
) -> Callable[[Student], None]:
    def moment(student: Student) -> None:
        student.stream_and_kill(on_event=on_event, delay_s=delay_s)
        student.respond(student.next_action())

    return moment


def during_respond(delay_s: float) -> Callable[[Student], None]:
    def moment(student: Student) -> None:
        student.respond_and_kill(student.next_action(), delay_s=delay_s)

    return moment


#: Delays after the start of a stream request of the kills done back to back by ``rapid_kills``.
RAPID_KILL_DELAYS_S = (0.004, 0.012)


def rapid_kills(student: Student) -> None:
    for delay_s in RAPID_KILL_DELAYS_S:
        student.stream_and_kill(delay_s=delay_s)
    student.respond(student.next_action())


#: One kill moment per item, items 1..8; items 9..10 are answered without a kill.
SCHEDULE: list[Callable[[Student], None]] = [
    awaiting_answer,
    after_respond,
    during_stream(on_event="connected"),
    during_respond(0.005),
    during_stream(delay_s=0.01),
    during_stream(on_event="client_action"),
    during_respond(0.03),
    rapid_kills,
]


def test_sigkill_at_any_moment_resumes_the_same_item_and_counts_each_answer_once(
    db_url: str, tmp_path: Path
) -> None:
    env = assay_env(tmp_path, database_url=db_url)
    env["ASSAY_SESSION_LEASE_S"] = "2"
    token = create_user("alice", env=env)
    with ServerProcess(env, log_path=tmp_path / "server.log") as server:
        server.start()
        student = Student(server, token)
        student.create(seed=20240601)
        for moment in SCHEDULE:
            moment(student)
        while (action := student.stream()) is not None:
            student.respond(action)
        with student.client() as api:
            results = api.get(f"/api/sessions/{student.session_id}/results").json()

    assert student.kills == len(SCHEDULE) - 1 + len(RAPID_KILL_DELAYS_S)
    assert results["status"] == "completed"
    assert (results["answered"], results["total"]) == (TOTAL, TOTAL)
    assert [i["item_number"] for i in results["items"]] == list(range(1, TOTAL + 1))
    for item in results["items"]:
        sent = student.answers[item["item_number"]]
        assert item["response"] == {"index": sent}
        assert item["correct"] == (item["options"][sent] == arithmetic_answer(item["prompt"]))
    right = sum(1 for n in student.answers if n % 3)
    assert results["correct_count"] == right
    assert results["score"] == right / TOTAL

    transcript = json.loads(
        asyncio.run(
            LocalBlobStore(Path(env["ASSAY_BLOB_DIR"])).get(transcript_key(student.session_id))
        )
    )
    calls = [
        c["id"] for m in transcript["messages"] if m["role"] == "assistant" for c in m["tool_calls"]
    ]
    answered = [m["tool_call_id"] for m in transcript["messages"] if m["role"] == "tool"]
    assert sorted(answered) == sorted(calls), "each tool call has exactly one tool result"
    presented = [
        m for m in transcript["messages"] if m["role"] == "tool" and m["name"] == "present_choices"
    ]
    assert sorted(m["tool_call_id"] for m in presented) == sorted(student.accepted)

    log = server.log_path.read_text()
    assert "Traceback" not in log, log[-4000:]
