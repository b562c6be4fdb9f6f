"""Code assessments without a working sandbox: refused up front, listed as unavailable, and an
answer the sandbox failed to grade is kept and graded on retry (issue 14 item 9)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from tests.integration.api.conftest import Api

from assay.sandbox import (
    BWRAP_INSTALL,
    FakeCodeRunner,
    FakeSandboxProbe,
    RunnerProbe,
    SandboxError,
    SandboxRunner,
    SandboxStatus,
    Verdict,
    scripted_result,
)
from assay.sandbox.fake import RunRequest, RunStep
from assay.sessions.tables import session_events

DOWN = SandboxStatus(available=False, reason="bwrap not found", fix=BWRAP_INSTALL)
PY = {"session_type": "evaluation", "config": {"blueprint_id": "PY-FUNCTIONS-L1", "seed": 3}}


def services(api: Api) -> Any:
    transport = api.client._transport
    return transport.app.state.services  # type: ignore[attr-defined]


async def test_a_code_session_is_refused_when_the_real_sandbox_cannot_run(api: Api) -> None:
    # As root without bubblewrap: the real runner, with a bwrap that does not exist.
    runner = SandboxRunner(isolation="bwrap", bwrap_path="/nonexistent/bwrap")
    services(api).sessions.sandbox = RunnerProbe(runner)
    r = await api.client.post("/api/sessions", json=PY, headers=api.headers())
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["error"] == "assessment_unavailable"
    assert body["field"] == "config.blueprint_id"
    assert "bubblewrap" in body["requires"] and body["fix"] == BWRAP_INSTALL
    assert "apt-get install bubblewrap" in body["message"]
    listed = (await api.client.get("/api/sessions", headers=api.headers())).json()
    assert listed["sessions"] == [] and listed["count"] == 0  # nothing was created


async def test_other_assessments_start_while_the_sandbox_is_down(api: Api) -> None:
    services(api).sessions.sandbox = FakeSandboxProbe(DOWN)
    body = {"session_type": "evaluation", "config": {"blueprint_id": "MATH-QUIZ-10"}}
    r = await api.client.post("/api/sessions", json=body, headers=api.headers())
    assert r.status_code == 201, r.text


async def test_blueprints_say_which_assessments_are_unavailable_and_why(api: Api) -> None:
    probe = FakeSandboxProbe(DOWN)
    services(api).sessions.sandbox = probe
    listed = (await api.client.get("/api/blueprints", headers=api.headers())).json()
    by_id = {b["blueprint_id"]: b for b in listed}
    py = by_id["PY-FUNCTIONS-L1"]
    assert py["available"] is False
    assert (
        "code sandbox" in py["unavailable_reason"] and "bwrap not found" in py["unavailable_reason"]
    )
    assert py["unavailable_fix"] == BWRAP_INSTALL
    assert by_id["MATH-QUIZ-10"]["available"] is True
    assert by_id["MATH-QUIZ-10"]["unavailable_reason"] is None
    one = (await api.client.get("/api/blueprints/PY-FUNCTIONS-L1", headers=api.headers())).json()
    assert one["available"] is False
    probe.current = SandboxStatus(available=True, isolation="bwrap")  # fixed: refresh shows it
    again = (await api.client.get("/api/blueprints", headers=api.headers())).json()
    assert {b["blueprint_id"]: b["available"] for b in again}["PY-FUNCTIONS-L1"] is True


class FlakySandbox:
    """A fake runner whose first ``failures`` runs fail as a broken sandbox does; later runs
    end as a crashed program (the item is then graded, score 0, which is all this needs)."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def __call__(self, request: RunRequest) -> RunStep:
        if self.failures > 0:
            self.failures -= 1
            raise SandboxError("the sandbox did not start the program")
        return scripted_result("", stderr="boom", verdict=Verdict.RUNTIME_ERROR, exit_code=1)


async def first_action(api: Api, sid: str) -> dict[str, Any]:
    events = await api.stream(sid)
    assert events[-2][0] == "client_action", events
    return events[-2][1]


async def test_an_answer_the_sandbox_fails_to_grade_is_kept_and_graded_on_retry(api: Api) -> None:
    svc = services(api)
    svc.sessions.sandbox = FakeSandboxProbe()
    svc.sessions.code_runner = FakeCodeRunner(FlakySandbox(failures=1))
    sid = (await api.client.post("/api/sessions", json=PY, headers=api.headers())).json()[
        "session_id"
    ]
    action = await first_action(api, sid)
    answer = {"tool_call_id": action["tool_call_id"], "response": {"code": "def f(): pass\n"}}
    url = f"/api/sessions/{sid}/respond"
    r = await api.client.post(url, json=answer, headers=api.headers())
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "5"
    body = r.json()
    assert body["error"] == "grading_deferred" and body["answer_kept"] is True
    assert "kept" in body["message"] and "again" in body["message"]
    assert svc.sessions.sandbox.invalidations == 1
    async with svc.db.read() as conn:
        kept = (
            await conn.execute(
                sa.select(session_events.c.data).where(
                    session_events.c.session_id == sid, session_events.c.kind == "grading_deferred"
                )
            )
        ).scalar_one()
    assert kept["response"] == {"code": "def f(): pass\n"}
    view = (await api.client.get(f"/api/sessions/{sid}", headers=api.headers())).json()
    assert view["status"] == "awaiting_client_action"
    assert view["pending_action"]["tool_call_id"] == action["tool_call_id"]
    retry = await api.client.post(url, json=answer, headers=api.headers())
    assert retry.status_code == 200, retry.text
    assert retry.json()["accepted"] is True
    view = (await api.client.get(f"/api/sessions/{sid}", headers=api.headers())).json()
    assert view["items_answered"] == 1
