"""CLI conventions over commands x bad inputs: usage errors exit 2, domain errors exit 1,
messages name flags and arguments (never API fields), blueprint ids are case-insensitive with
a did-you-mean; ``blueprints validate`` reports every error of a file with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli.main import app


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ASSAY_BLUEPRINT_DIR", "ASSAY_LLM_BASE_URL", "ASSAY_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSAY_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("ASSAY_BLOB_DIR", str(tmp_path / "blobs"))
    monkeypatch.setenv("COLUMNS", "200")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("args", "code", "says", "never"),
    [
        (["take", "--seed", "-1", "MATH-QUIZ-10"], 2, "'--seed'", "config.seed"),
        (["take", "MATH-QUIZ-1O"], 2, "did you mean MATH-QUIZ-10?", "config.blueprint_id"),
        (["take", "NOPE"], 2, "unknown assessment blueprint 'NOPE'", "config."),
        (["take"], 2, "'BLUEPRINT'", "Traceback"),
        (["take", "--resume", "--seed", "1"], 2, "'--seed'", "config."),
        (["take", "--resume"], 1, "no open session", "Traceback"),
        (["take", "--resume", "sess_nope"], 2, "no session 'sess_nope'", "Traceback"),
        (["blueprints", "show", "NOPE"], 2, "unknown blueprint 'NOPE'", "Traceback"),
        (["blueprints", "show", "math-quiz-1o"], 2, "did you mean MATH-QUIZ-10?", "Traceback"),
        (
            ["calibrate", "--blueprint", "NOPE"],
            2,
            "unknown assessment blueprint 'NOPE'",
            "sessions",
        ),
        (["calibrate", "--blueprint", "math-cat"], 1, "calibration needs at least 2", "unknown"),
        (["calibrate", "--min-responses", "0"], 2, "'--min-responses'", "Traceback"),
        (["users", "create", "bad name"], 2, "'NAME': a user name must be", "Traceback"),
        (["users", "token", "nobody"], 2, "no user named 'nobody'", "Traceback"),
        (["users", "revoke", "nobody"], 2, "no user named 'nobody'", "Traceback"),
        (["sessions", "list", "--user", "nobody"], 2, "'--user'", "Traceback"),
        (["blueprints", "validate", "absent.yaml"], 2, "absent.yaml does not exist", "UTF-8"),
        (["nosuchcommand"], 2, "No such command", "Traceback"),
    ],
)
def test_exit_codes_and_messages(args: list[str], code: int, says: str, never: str) -> None:
    exit_code, stdout, stderr = run(*args)
    assert exit_code == code, (stdout, stderr)
    assert says in stderr, stderr
    assert never not in stderr + stdout


def test_a_taken_user_name_is_a_domain_error() -> None:
    assert run("users", "create", "dave")[0] == 0
    code, _, stderr = run("users", "create", "dave")
    assert code == 1 and "user 'dave' already exists" in stderr


def test_blueprint_ids_are_case_insensitive() -> None:
    code, stdout, _ = run("blueprints", "show", "math-quiz-10")
    assert code == 0 and "assessment_id: MATH-QUIZ-10" in stdout
    code, stdout, _ = run("blueprints", "show", "math.arith.add.2digit")
    assert code == 0 and "skill_id: MATH.ARITH.ADD.2DIGIT" in stdout


def test_blueprints_list_shows_assessments_and_skills_with_their_kind() -> None:
    code, stdout, _ = run("blueprints", "list")
    assert code == 0
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in stdout.splitlines()
        if line.count("│") > 3
    }
    assert rows["MATH-QUIZ-10"] == "assessment"
    assert rows["MATH.ARITH.ADD.2DIGIT"] == "skill"


@pytest.mark.parametrize("text", ["", "{}\n", "skills: []\n"])
def test_validate_refuses_a_file_without_blueprints(tmp_path: Path, text: str) -> None:
    file = tmp_path / "empty.yaml"
    file.write_text(text, encoding="utf-8")
    code, stdout, stderr = run("blueprints", "validate", str(file))
    assert code == 1 and "ok" not in stdout
    assert "defines no blueprints" in stderr


def test_validate_reports_every_error_with_its_path_and_line(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(
        "skills:\n"
        "  - skill_id: A\n"
        "    generation_rules: {operation: addition}\n"
        "    presentation:\n"
        "      option_count: 99\n"
        "      stem_templates: ['{op1} + {op2}']\n"
        "  - skill_id: B\n"
        "assessments:\n"
        "  - assessment_id: Q\n"
        "    title: Q\n"
        "    total_items: 1\n"
        "    sections:\n"
        "      - {section_id: s, item_count: 1, skill_blueprints: [NOPE],"
        " difficulty_distribution: {easy: 1}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["blueprints", "validate", str(file)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{file}: skills[0].presentation.option_count: " in lines[0]
    assert lines[0].endswith("(line 5)")
    assert any("skills[1].presentation: Field required (line 7)" in line for line in lines)
    assert any(
        "assessments[0].sections[0].skill_blueprints[0]: unknown skill blueprint 'NOPE'" in line
        and line.endswith("(line 13)")
        for line in lines
    ), lines
    assert "4 errors" in lines[-1], lines
