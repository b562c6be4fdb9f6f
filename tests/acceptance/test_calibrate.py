"""``assay calibrate`` (issue 5) as a real command in a subprocess, on SQLite and PostgreSQL.

The database holds simulated MATH-CAT sessions whose answers follow a known 2PL over the
blueprint's real templates (``b = 0.3 + 1.4 logit(d)``), plus sessions of another blueprint
that must not count. The command must store a calibration that recovers those parameters and
that new sessions then score and select with.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from tests.acceptance._server import assay_env

from assay.items import load_catalog
from assay.items.instance import ItemInstance
from assay.sessions import CreateSessionRequest, ScriptDriver, SessionLoop, SessionService, adaptive
from assay.sessions.ability import logit, template_key
from assay.sessions.tables import irt_calibrations, session_items, sessions
from assay.storage import Database, new_id, utcnow
from assay.users import create_user

CAT_ID = "MATH-CAT"
N_PERSONS = 600


def calibrate_cli(*args: str, db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = assay_env(tmp_path, database_url=db_url)
    env["COLUMNS"] = "120"
    return subprocess.run(
        [sys.executable, "-m", "assay.cli.calibrate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def addition_templates() -> list[tuple[str, float]]:
    """Up to six (skill, difficulty) templates of MATH-CAT's addition section, spread over
    d in [0.2, 0.7] (harder ones would be answered too rarely to estimate from 600 people)."""
    catalog = load_catalog()
    bank = adaptive.build_bank(catalog.assessment(CAT_ID), catalog, calibration=None)
    found = sorted(
        {
            (t.skill_ids[0], t.difficulty)
            for t in bank.templates.values()
            if t.section_id == "addition" and 0.2 <= t.difficulty <= 0.7
        },
        key=lambda x: x[1],
    )
    picks = np.linspace(0, len(found) - 1, 6).round().astype(int)
    return [found[i] for i in dict.fromkeys(picks.tolist())]


def truth(d: float) -> float:
    return 0.3 + 1.4 * logit(d)


async def seed_responses(db: Database, templates: list[tuple[str, float]]) -> None:
    user, _ = await create_user(db, name="sim")
    rng = np.random.default_rng(7)
    now = utcnow()
    session_rows, item_rows = [], []
    for person in range(N_PERSONS + 60):
        other = person >= N_PERSONS  # another blueprint, answered all wrong: must not count
        sid = new_id("sess")
        session_rows.append(
            {
                "id": sid,
                "user_id": user.id,
                "session_type": "evaluation",
                "status": "completed",
                "driver": "script",
                "title": "sim",
                "blueprint_id": "MATH-QUIZ-10" if other else CAT_ID,
                "config": {},
                "plan": [],
                "total_items": len(templates),
                "seed": person,
                "created_at": now,
                "updated_at": now,
            }
        )
        theta = rng.normal()
        for n, (skill_id, d) in enumerate(templates, start=1):
            p = 1.0 / (1.0 + math.exp(-1.3 * (theta - truth(d))))
            ok = not other and bool(rng.random() < p)
            item = ItemInstance(
                item_id=f"gen_{person}_{n}",
                skill_id=skill_id,
                section_id="addition",
                stem=f"{person}-{n}",
                options=["1", "2", "3", "4"],
                correct_index=0,
                correct_answer="1",
                difficulty=d,
            )
            item_rows.append(
                {
                    "session_id": sid,
                    "item_number": n,
                    "item": item.model_dump(mode="json"),
                    "section_id": "addition",
                    "skill_id": skill_id,
                    "served_tool_call_id": f"c{n}",
                    "served_at": now,
                    "response": {"index": 0 if ok else 1},
                    "correct": ok,
                    "score": float(ok),
                }
            )
    async with db.transaction() as conn:
        await conn.execute(sessions.insert(), session_rows)
        await conn.execute(session_items.insert(), item_rows)


async def test_calibrate_recovers_the_parameters_and_new_sessions_use_them(
    db_url: str, tmp_path: Path
) -> None:
    templates = addition_templates()
    assert len(templates) >= 5
    db = await Database.connect(db_url)
    try:
        await seed_responses(db, templates)
        done = calibrate_cli(
            "--blueprint", CAT_ID, "--min-responses", "50", db_url=db_url, tmp_path=tmp_path
        )
        assert done.returncode == 0, done.stderr
        assert "difficulty mapping: b =" in done.stdout
        assert f"from {N_PERSONS * len(templates)} responses in {N_PERSONS} sessions" in done.stdout
        for skill_id, d in templates:
            assert template_key(skill_id, d) in done.stdout
        async with db.read() as conn:
            rows = (await conn.execute(sa.select(irt_calibrations))).mappings().all()
        assert len(rows) == 1 and rows[0]["blueprint_id"] == CAT_ID
        assert rows[0]["n_sessions"] == N_PERSONS
        params = rows[0]["params"]
        for skill_id, d in templates:
            fit = params["templates"][template_key(skill_id, d)]
            assert fit["n"] == N_PERSONS
            assert fit["b"] == pytest.approx(truth(d), abs=0.5)
            assert fit["a"] == pytest.approx(1.3, abs=0.5)
        assert params["mapping"]["slope"] == pytest.approx(1.4, abs=0.3)
        assert params["mapping"]["intercept"] == pytest.approx(0.3, abs=0.3)

        # a new MATH-CAT session snapshots the calibration and selects with it
        catalog = load_catalog()
        loop = SessionLoop(db=db, catalog=catalog, drivers={"script": ScriptDriver()})
        service = SessionService(loop)
        user, _ = await create_user(db, name="alice")
        created = await service.create(
            user_id=user.id,
            request=CreateSessionRequest.model_validate(
                {"session_type": "evaluation", "config": {"blueprint_id": CAT_ID, "seed": 1}}
            ),
        )
        async with db.read() as conn:
            cat_state = (
                await conn.execute(
                    sa.select(sessions.c.cat_state).where(sessions.c.id == created["session_id"])
                )
            ).scalar_one()
        assert cat_state["calibration"]["calibration_id"] == rows[0]["id"]
        assert cat_state["calibration"]["templates"] == params["templates"]
    finally:
        await db.close()


async def test_too_few_responses_fail_clearly_and_store_nothing(
    db_url: str, tmp_path: Path
) -> None:
    db = await Database.connect(db_url)
    try:
        await seed_responses(db, addition_templates()[:2])
        done = calibrate_cli("--min-responses", "100000", db_url=db_url, tmp_path=tmp_path)
        assert done.returncode == 1, done.stdout
        assert "calibration needs at least 2" in done.stderr
        unknown = calibrate_cli(
            "--blueprint", "NO-SUCH-BLUEPRINT", db_url=db_url, tmp_path=tmp_path
        )
        assert unknown.returncode == 2, unknown.stdout
        assert "unknown assessment blueprint 'NO-SUCH-BLUEPRINT'" in unknown.stderr
        bad = calibrate_cli("--min-responses", "0", db_url=db_url, tmp_path=tmp_path)
        assert bad.returncode == 2 and "min-responses" in bad.stderr
        async with db.read() as conn:
            count = (
                await conn.execute(sa.select(sa.func.count()).select_from(irt_calibrations))
            ).scalar_one()
        assert count == 0
    finally:
        await db.close()
