"""``assay doctor`` checks against broken set-ups (issue 14 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.cli.doctor import (
    BlobDirCheck,
    CheckResult,
    DatabaseCheck,
    LLMCheck,
    LocalModelCheck,
    SandboxCheck,
    exit_code,
)
from assay.llm.fake_server import FakeOpenAIServer
from assay.sandbox import FakeCodeRunner, SandboxRunner, scripted_result
from assay.storage import Database


async def test_a_migrated_database_passes(db_url: str) -> None:
    result = await DatabaseCheck(db_url).run()
    assert result.state == "ok", result
    assert "0004_cat" in result.detail


async def test_an_unmigrated_database_says_to_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    db = await Database.connect(url, upgrade=False)
    await db.upgrade("0001")
    await db.close()
    result = await DatabaseCheck(url).run()
    assert (result.state, result.fix, result.required) == ("fail", "assay db upgrade", True)
    assert "not migrated" in result.detail


async def test_a_missing_sqlite_file_says_to_upgrade(tmp_path: Path) -> None:
    result = await DatabaseCheck(f"sqlite:///{tmp_path / 'none.db'}").run()
    assert (result.state, result.fix) == ("fail", "assay db upgrade")
    assert not (tmp_path / "none.db").exists()  # the check creates nothing


async def test_an_unreachable_database_says_so() -> None:
    result = await DatabaseCheck("postgresql://u:secret@127.0.0.1:1/x", timeout_s=2).run()
    assert result.state == "fail" and "cannot connect" in result.detail
    assert "secret" not in result.detail and result.fix is not None


async def test_a_writable_blob_dir_passes(tmp_path: Path) -> None:
    result = await BlobDirCheck(tmp_path / "blobs").run()
    assert result.state == "ok"
    assert list((tmp_path / "blobs").iterdir()) == []


@pytest.mark.parametrize("where", ["sysfs", "file", "under_file"])
async def test_an_unwritable_blob_dir_fails(tmp_path: Path, where: str) -> None:
    (tmp_path / "f").write_text("x")
    path = {"sysfs": Path("/sys"), "file": tmp_path / "f", "under_file": tmp_path / "f" / "b"}
    result = await BlobDirCheck(path[where]).run()  # /sys is read-only even for root
    assert (result.state, result.required) == ("fail", True)
    assert "ASSAY_BLOB_DIR" in (result.fix or "")


async def test_the_real_sandbox_passes_here() -> None:
    result = await SandboxCheck(SandboxRunner(), needed_by=("PY-FUNCTIONS-L1",)).run()
    assert result.state == "ok", result


async def test_a_sandbox_that_cannot_run_is_a_required_failure() -> None:
    runner = SandboxRunner(isolation="bwrap", bwrap_path="/nonexistent/bwrap")
    result = await SandboxCheck(runner, needed_by=("PY-FUNCTIONS-L1",)).run()
    assert (result.state, result.required) == ("fail", True)
    assert result.fix == "apt-get install bubblewrap"
    assert "PY-FUNCTIONS-L1" in result.detail
    assert exit_code([result]) == 1


async def test_rlimits_only_is_a_failure_that_is_not_required() -> None:
    degraded = scripted_result("42\n").model_copy(
        update={"isolation": "rlimits-only", "unenforced": ("network",)}
    )
    result = await SandboxCheck(FakeCodeRunner([degraded]), needed_by=("PY",)).run()
    assert (result.state, result.required) == ("fail", False)
    assert "network" in result.detail and result.fix == "apt-get install bubblewrap"


async def test_a_runner_printing_the_wrong_answer_fails() -> None:
    result = await SandboxCheck(FakeCodeRunner(["41\n"]), needed_by=("PY",)).run()
    assert (result.state, result.required) == ("fail", True)


async def test_no_llm_configured_is_not_a_failure() -> None:
    result = await LLMCheck(None, None).run()
    assert result.state == "skip" and result.line().startswith("–")
    assert exit_code([result]) == 0


async def test_the_llm_endpoint_lists_the_model_or_not() -> None:
    server = FakeOpenAIServer([], model="served-model")
    with server.run_in_thread() as base_url:
        good = await LLMCheck(base_url, "served-model").run()
        bad = await LLMCheck(base_url, "other-model").run()
    assert good.state == "ok"
    assert (bad.state, bad.required) == ("fail", False)
    assert "served-model" in (bad.fix or "")
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/models"]


async def test_an_unreachable_llm_endpoint_fails_without_exit_1() -> None:
    result = await LLMCheck("http://127.0.0.1:1/v1", "m", timeout_s=2).run()
    assert result.state == "fail" and exit_code([result]) == 0


async def test_the_local_model_check_reports_what_is_installed() -> None:
    result = await LocalModelCheck().run()
    assert result.state in ("ok", "skip", "fail") and not result.required


def test_lines_carry_the_mark_and_the_fix() -> None:
    line = CheckResult("database", "fail", "x does not exist", "assay db upgrade").line()
    assert line == "✗ database: x does not exist — fix: assay db upgrade"
