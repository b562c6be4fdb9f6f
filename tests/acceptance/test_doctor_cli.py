"""``assay doctor`` as a user runs it: the real CLI in a subprocess (issue 14 item 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def doctor(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "ASSAY_DATABASE_URL": f"sqlite:///{tmp_path / 'assay.db'}",
        "ASSAY_BLOB_DIR": str(tmp_path / "blobs"),
        **env,
    }
    for name in ("ASSAY_LLM_BASE_URL", "ASSAY_LLM_MODEL"):
        full.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "assay.cli.main", "doctor"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def upgrade(tmp_path: Path) -> None:
    env = {**os.environ, "ASSAY_DATABASE_URL": f"sqlite:///{tmp_path / 'assay.db'}"}
    subprocess.run(
        [sys.executable, "-m", "assay.cli.main", "db", "upgrade"], env=env, check=True, timeout=120
    )


def line(out: str, name: str) -> str:
    return next(x for x in out.splitlines() if x[2:].startswith(f"{name}:"))


def test_a_fresh_database_fails_with_the_fix(tmp_path: Path) -> None:
    proc = doctor(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert line(proc.stdout, "database").startswith("✗")
    assert "fix: assay db upgrade" in line(proc.stdout, "database")


def test_a_ready_machine_exits_0(tmp_path: Path) -> None:
    upgrade(tmp_path)
    proc = doctor(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("database", "blob dir", "code sandbox"):
        assert line(proc.stdout, name).startswith("✓"), proc.stdout
    assert line(proc.stdout, "LLM endpoint").startswith("–")


def test_without_bubblewrap_on_path_the_sandbox_line_says_how_to_install_it(
    tmp_path: Path,
) -> None:
    upgrade(tmp_path)
    proc = doctor(tmp_path, PATH=str(tmp_path))
    sandbox = line(proc.stdout, "code sandbox")
    assert sandbox.startswith("✗") and "fix: apt-get install bubblewrap" in sandbox
    # Required only when code cannot run at all (as root without bubblewrap, say).
    assert proc.returncode == (1 if "code cannot run" in sandbox else 0), proc.stdout


def test_doctor_is_in_the_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "assay.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "doctor" in proc.stdout


def test_blueprints_list_marks_code_assessments_the_sandbox_cannot_grade(tmp_path: Path) -> None:
    upgrade(tmp_path)
    no_bwrap = {"PATH": str(tmp_path), "COLUMNS": "400"}
    sandbox = line(doctor(tmp_path, **no_bwrap).stdout, "code sandbox")
    env = {**os.environ, "ASSAY_BLOB_DIR": str(tmp_path / "b"), **no_bwrap}
    listed = subprocess.run(
        [sys.executable, "-m", "assay.cli.main", "blueprints", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rows = {x.split("│")[1].strip(): x for x in listed.splitlines() if x.startswith("│")}
    assert rows["MATH-QUIZ-10"].rstrip(" │").endswith("yes")
    if "code cannot run" in sandbox:  # as root without bubblewrap
        assert "no: this assessment runs your code" in rows["PY-FUNCTIONS-L1"]
    else:
        assert rows["PY-FUNCTIONS-L1"].rstrip(" │").endswith("yes")
