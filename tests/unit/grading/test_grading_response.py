"""score_response / grade_response: key comparison, test execution with partial credit."""

import json
import random
from typing import Any

import pytest

from assay.grading import code_tests, grade_response, score_response
from assay.items import ItemInstance, ResponseError, generate_item, load_catalog
from assay.sandbox import CaseStatus, FakeCodeRunner, RunRequest, scripted_result

CATALOG = load_catalog()


def in_process(request: RunRequest) -> str:
    """A fake run of the grading harness: the submission runs here, records go to stdout.

    Test-only stand-in for the sandbox (the submissions are this file's own), speaking the
    harness protocol of ``assay.sandbox._harness``.
    """
    job = json.loads(request.stdin)
    prefix = job["nonce"] + " "
    namespace: dict[str, Any] = {}
    try:
        exec(compile(request.files["submission.py"], "submission.py", "exec"), namespace)
    except Exception as exc:
        return prefix + json.dumps({"event": "import_error", "error": repr(exc)}) + "\n"
    lines = []
    for index, call in enumerate(job["cases"]):
        record: dict[str, Any] = {"event": "case", "index": index}
        try:
            value = namespace[job["function"]](*call["args"], **call["kwargs"])
            record.update(status="returned", value=value, repr=repr(value))
        except Exception as exc:
            record.update(status="raised", error=f"{type(exc).__name__}: {exc}")
        lines.append(prefix + json.dumps(record))
    lines.append(prefix + json.dumps({"event": "done"}))
    return "\n".join(lines) + "\n"


def code_item(**params: Any) -> ItemInstance:
    return ItemInstance(
        item_id="gen_code",
        skill_id="PROG.PYTHON.STRING.LENGTH",
        item_type="code",
        stem="Write count_chars(s).",
        correct_answer="def count_chars(s):\n    return len(s)\n",
        answer_kind="code",
        starter_code="def count_chars(s: str) -> int:\n    pass\n",
        language="python",
        generation_params={
            "function_name": "count_chars",
            "tests": [
                {"input": "hello", "expected": 5},
                {"input": "hello world", "expected": 11},
                {"input": "", "expected": 0},
                {"input": "naïve café", "expected": 10},
            ],
            "timeout_s": 2.0,
            "partial_credit": True,
            **params,
        },
    )


@pytest.mark.parametrize(
    ("source", "correct", "score", "statuses"),
    [
        ("def count_chars(s):\n    return len(s)\n", True, 1.0, ["passed"] * 4),
        (
            "def count_chars(s):\n    return len(s.replace(' ', ''))\n",
            False,
            0.5,
            ["passed", "wrong_answer", "passed", "wrong_answer"],
        ),
        (
            "def count_chars(s):\n    return len(s.encode())\n",
            False,
            0.75,
            ["passed", "passed", "passed", "wrong_answer"],
        ),
        (
            "def count_chars(s):\n    return 1 / len(s)\n",
            False,
            0.0,
            ["wrong_answer", "wrong_answer", "error", "wrong_answer"],
        ),
        ("def count_chars(s)\n    return 0\n", False, 0.0, ["not_run"] * 4),
    ],
)
async def test_code_items_score_the_share_of_tests_passed(
    source: str, correct: bool, score: float, statuses: list[str]
) -> None:
    runner = FakeCodeRunner(in_process)
    graded = await grade_response(code_item(), {"code": source}, runner=runner)
    assert (graded.score.correct, graded.score.score) == (correct, score)
    assert [t.status.value for t in graded.tests] == statuses
    assert all(t.expected_json is None for t in graded.tests)
    assert all(", expected" not in t.message for t in graded.tests)
    assert graded.isolation == "none"
    assert await score_response(code_item(), {"code": source}, runner=runner) == graded.score
    sent = json.loads(runner.calls[0].stdin)
    assert sent["function"] == "count_chars" and sent["case_timeout_s"] == 2.0
    assert "expected" not in runner.calls[0].stdin.decode()  # expected values stay on the host


async def test_without_partial_credit_a_partial_pass_scores_zero() -> None:
    source = "def count_chars(s):\n    return len(s.replace(' ', ''))\n"
    graded = await grade_response(
        code_item(partial_credit=False), {"code": source}, runner=FakeCodeRunner(in_process)
    )
    assert (graded.score.correct, graded.score.score) == (False, 0.0)
    assert sum(t.status is CaseStatus.PASSED for t in graded.tests) == 2


async def test_a_load_failure_is_explained() -> None:
    graded = await grade_response(
        code_item(), {"code": "import nowhere_to_be_found\n"}, runner=FakeCodeRunner(in_process)
    )
    assert graded.score.score == 0.0
    assert graded.error is not None and "did not load" in graded.error


async def test_generated_code_items_grade_their_reference_fully() -> None:
    runner = FakeCodeRunner(in_process)
    for skill_id in sorted(s for s in CATALOG.skills if s.startswith("PROG.")):
        item = generate_item(CATALOG.skill(skill_id), rng=random.Random(4))
        reference = await grade_response(item, {"code": item.correct_answer}, runner=runner)
        assert reference.score.correct and reference.score.score == 1.0, skill_id
        starter = await grade_response(item, {"code": item.starter_code or ""}, runner=runner)
        assert (starter.score.correct, starter.score.score) == (False, 0.0), skill_id
        assert len(starter.tests) == len(item.generation_params["tests"])


async def test_choice_and_text_items_use_the_key_without_a_runner() -> None:
    mc = generate_item(CATALOG.skill("NET.IP.SUBNET.CALC"), rng=random.Random(1))
    assert mc.correct_index is not None
    right = await grade_response(mc, {"index": mc.correct_index}, runner=None)
    assert (right.score.correct, right.score.score, right.tests) == (True, 1.0, [])
    wrong = await score_response(mc, {"index": (mc.correct_index + 1) % 4}, runner=None)
    assert (wrong.correct, wrong.score) == (False, 0.0)
    text = generate_item(CATALOG.skill("NET.IP.MASK.TO_PREFIX"), rng=random.Random(1))
    typed = text.correct_answer.removeprefix("/")
    assert (await score_response(text, {"text": typed}, runner=None)).correct


async def test_inline_code_items_without_tests_compare_the_source() -> None:
    item = code_item()
    bare = item.model_copy(update={"generation_params": {}})
    assert code_tests(bare) is None
    same = await score_response(bare, {"code": item.correct_answer + "\n\n"}, runner=None)
    assert same.correct
    assert not (await score_response(bare, {"code": "pass"}, runner=None)).correct


async def test_bad_requests_name_the_field() -> None:
    with pytest.raises(ValueError, match="runner: code item gen_code is graded by running"):
        await score_response(code_item(), {"code": "x = 1"}, runner=None)
    with pytest.raises(ResponseError) as caught:
        await score_response(code_item(), {"text": "x"}, runner=FakeCodeRunner(in_process))
    assert caught.value.field == "response.code"
    with pytest.raises(ValueError, match=r"generation_params\.tests: List should have at least 1"):
        await score_response(code_item(tests=[]), {"code": "x"}, runner=FakeCodeRunner([]))
    with pytest.raises(ValueError, match=r"generation_params\.tests\.0\.expected: Field required"):
        code_tests(code_item(tests=[{"input": "a"}]))


async def test_a_sandbox_failure_is_not_scored() -> None:
    from assay.sandbox import SandboxError

    with pytest.raises(SandboxError):
        await score_response(code_item(), {"code": "x = 1"}, runner=FakeCodeRunner([]))
    killed = FakeCodeRunner([scripted_result("", exit_code=None, message="killed by signal 9")])
    graded = await grade_response(code_item(), {"code": "x = 1"}, runner=killed)
    assert graded.score.score == 0.0 and graded.error is not None
    assert {t.status for t in graded.tests} == {CaseStatus.NOT_RUN}
