"""grade_response on generated code items in the real sandbox: partial credit, hidden tests."""

import random

import pytest

from assay.grading import grade_response, score_response
from assay.items import generate_item, load_catalog
from assay.sandbox import CaseStatus, SandboxRunner

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def runner() -> SandboxRunner:
    return SandboxRunner()  # bubblewrap where usable, else rlimits only


async def test_a_buggy_submission_earns_the_share_of_tests_it_passes(
    runner: SandboxRunner,
) -> None:
    skill = CATALOG.skill("PROG.PYTHON.LIST.LARGEST")
    item = generate_item(skill, band="hard", rng=random.Random(2))
    assert item.generation_params["scenario"] == {
        "all_negative": 1,
        "empty_edge": 1,
        "max_first": 1,
    }
    bug = (
        "def largest(numbers):\n"
        "    best = 0\n"
        "    for n in numbers:\n"
        "        if n > best:\n"
        "            best = n\n"
        "    return best\n"
    )
    graded = await grade_response(item, {"code": bug}, runner=runner)
    tests = item.generation_params["tests"]
    passing = [case["expected"] is not None and case["expected"] > 0 for case in tests]
    assert [t.status is CaseStatus.PASSED for t in graded.tests] == passing
    assert graded.score.score == pytest.approx(sum(passing) / len(tests))
    assert not graded.score.correct
    for outcome in graded.tests:  # what the student sees: never the expected value
        assert outcome.expected_json is None
        if outcome.status is CaseStatus.WRONG_ANSWER:
            assert outcome.message == "returned 0" and outcome.actual == "0"


async def test_starter_code_and_an_endless_loop_score_zero(runner: SandboxRunner) -> None:
    item = generate_item(CATALOG.skill("PROG.PYTHON.STRING.LENGTH"), rng=random.Random(0))
    starter = await score_response(item, {"code": item.starter_code or ""}, runner=runner)
    assert (starter.correct, starter.score) == (False, 0.0)
    fast = item.model_copy(
        update={"generation_params": {**item.generation_params, "timeout_s": 0.5}}
    )
    loop = "def count_chars(s):\n    while True:\n        pass\n"
    graded = await grade_response(fast, {"code": loop}, runner=runner)
    assert graded.score.score == 0.0
    assert {t.status for t in graded.tests} == {CaseStatus.TIMEOUT}
    assert graded.isolation == await runner.resolve_isolation()
