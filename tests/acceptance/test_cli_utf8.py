"""``assay blueprints show`` prints UTF-8, whatever the locale (issue 14 item 18).

The cause was ``yaml.safe_dump`` without ``allow_unicode``, which escapes every non-ASCII
character (``§`` came out as ``\\xA7``); the command now writes UTF-8 bytes to stdout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.acceptance._server import assay_env

BLUEPRINT = """
assessments:
  - assessment_id: UTF8-CHECK
    title: Brüche und Dezimalzahlen – ½ · §
    description: Café ≥ naïve
    time_limit_minutes: 10
    total_items: 1
    sections:
      - section_id: addition
        item_count: 1
        skill_blueprints: [MATH.ARITH.ADD.1DIGIT]
        difficulty_distribution: {easy: 1}
"""


@pytest.mark.parametrize(
    "locale_env",
    [{"LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}, {"LANG": "C", "LC_ALL": "C"}],
    ids=["utf8-locale", "C-locale"],
)
def test_blueprints_show_prints_utf8(tmp_path: Path, locale_env: dict[str, str]) -> None:
    (tmp_path / "bp").mkdir()
    (tmp_path / "bp" / "utf8.yaml").write_text(BLUEPRINT, encoding="utf-8")
    env = {
        k: v
        for k, v in assay_env(tmp_path).items()
        if k not in ("LANG", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING", "PYTHONUTF8")
    }
    env.update(locale_env, ASSAY_BLUEPRINT_DIR=str(tmp_path / "bp"))
    done = subprocess.run(
        [sys.executable, "-m", "assay.cli.main", "blueprints", "show", "UTF8-CHECK"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    out = done.stdout.decode("utf-8")
    assert "title: Brüche und Dezimalzahlen – ½ · §" in out
    assert "description: Café ≥ naïve" in out
    assert "\\x" not in out and "\\u" not in out
