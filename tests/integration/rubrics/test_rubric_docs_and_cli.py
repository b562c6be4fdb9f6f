"""The real ``assay rubrics validate`` in a subprocess, and the example of docs/rubrics.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rubrics.md"

BAD = """
id: weighty
name: Weighty
description: one criterion that weighs too much
version: 1.0.0
target_type: content
pass_threshold: 0.7
criteria:
  - id: depth
    name: Depth
    description: Goes deep
    weight: 1.3
    levels:
      - {id: fail, label: Fail, description: Shallow, score: 0.0}
      - {id: pass, label: Pass, description: Deep, score: 1.0}
    scoring_method: {type: deterministic, function_ref: "no_such_pkg_q7.scoring:check"}
"""


def validate(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assay.cli.main", "rubrics", "validate", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_validate_fails_in_the_rubrics_terms(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    done = validate(path, ASSAY_RUBRIC_FUNCTION_MODULES="no_such_pkg_q7")
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "Rubric 'Weighty' (weighty v1.0.0): FAILED" in out and "Meta-Rubric" not in out
    assert "weights sum to 1.3; they should sum to 1.0" in out
    assert "criterion 'depth': function_ref 'no_such_pkg_q7.scoring:check' cannot be used" in out
    assert "no module named 'no_such_pkg_q7.scoring'" in out
    assert "PASSED" not in out and "aim for" not in out
    # Without the allow-list the module is refused before any import.
    refused = validate(path)
    assert refused.returncode == 1 and "is not allowed" in refused.stdout


def docs_example() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_the_documented_example_passes_validate(tmp_path: Path) -> None:
    text = docs_example()
    data = yaml.safe_load(text)
    assert {c["scoring_method"]["type"] for c in data["criteria"]} == {
        "schema",
        "deterministic",
        "llm_decode",
    }
    path = tmp_path / "example.yaml"
    path.write_text(text)
    done = validate(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Rubric 'Quiz Quality' (quiz_quality v1.0.0): PASSED all 6 checks" in done.stdout


def test_docs_list_every_field_of_the_models() -> None:
    from assay.rubrics import Rubric, RubricCriterion, RubricLevel, ScoringMethod

    text = DOCS.read_text(encoding="utf-8")
    for model in (Rubric, RubricCriterion, RubricLevel, ScoringMethod):
        for name in model.__dataclass_fields__:
            assert f"| `{name}` |" in text, (model.__name__, name)
