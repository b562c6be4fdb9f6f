"""Assessment sessions: the seed's models, examples and scoring formulas."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assay.artifacts import (
    ArtifactValidationError,
    AssessmentSession,
    CumulativePerformance,
    StudentResponse,
    finalize_assessment,
    record_response,
    start_assessment_session,
)


def test_student_response_seed_example_and_defaults() -> None:
    r = StudentResponse(
        question_id="q1", response="Paris", correct=True, time_taken_ms=3500, attempt_number=1
    )
    assert StudentResponse.from_dict(r.to_dict()) == r
    d = StudentResponse()
    assert (
        d.question_id,
        d.response,
        d.correct,
        d.rubric_score,
        d.time_taken_ms,
        d.attempt_number,
    ) == (
        "",
        None,
        None,
        None,
        None,
        1,
    )


def test_assessment_session_seed_example_and_defaults() -> None:
    s = AssessmentSession(
        student_id="student_001", assessment_artifact_id="art_quiz_123", assessment_version="1.0.0"
    )
    assert s.id.startswith("sess_")
    assert re.match(r"^\d{4}-\d\d-\d\dT.*Z$", s.started_at)
    assert (s.completed_at, s.responses, s.score, s.rubric_evaluation_id) == (None, [], None, None)
    assert (s.is_complete, s.correct_count, s.total_responses) == (False, 0, 0)
    assert AssessmentSession.from_dict(s.to_dict()) == s


def test_cumulative_performance_defaults() -> None:
    p = CumulativePerformance(student_id="student_001", topic="biology")
    assert (p.total_sessions, p.total_questions_attempted, p.correct_count) == (0, 0, 0)
    assert (p.average_score, p.mastery_estimate, p.last_session_at) == (0.0, 0.0, "")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rubric_score": 1.2}, "rubric_score"),
        ({"time_taken_ms": -1}, "time_taken_ms"),
        ({"time_taken_ms": 1.5}, "time_taken_ms"),
        ({"attempt_number": 0}, "attempt_number"),
        ({"correct": "yes"}, "correct"),
    ],
)
def test_student_response_bad_fields(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ArtifactValidationError) as info:
        StudentResponse(question_id="q", **kwargs)
    assert info.value.field == field


async def test_start_sets_the_documented_keys() -> None:
    data: dict[str, Any] = {}
    session = await start_assessment_session(
        data=data,
        assessment_artifact_id="art_quiz_123",
        student_id="student_001",
        question_ids=["q1", "q2", "q3"],
    )
    assert data["_session_id"] == session.id
    assert data["_session"] == session.to_dict()
    assert data["_current_question_index"] == 0
    assert data["_total_questions"] == 3
    assert data["_question_ids"] == ["q1", "q2", "q3"]
    assert session.assessment_version == "1.0.0"


async def test_version_from_data_or_argument() -> None:
    data: dict[str, Any] = {"_assessment_version": "2.0.1"}
    assert (await start_assessment_session(data, "art_q", "s1")).assessment_version == "2.0.1"
    assert (
        await start_assessment_session(data, "art_q", "s1", assessment_version="3.0.0")
    ).assessment_version == "3.0.0"


async def test_record_tracks_attempts_and_advances_index() -> None:
    data: dict[str, Any] = {}
    await start_assessment_session(
        data=data, assessment_artifact_id="art_q", student_id="s1", question_ids=["q1", "q2"]
    )
    first = await record_response(
        data=data, question_id="q1", response="Lyon", correct=False, time_taken_ms=3500
    )
    second = await record_response(data=data, question_id="q1", response="Paris", correct=True)
    third = await record_response(data=data, question_id="q2", response="4", correct=True)
    assert [first.attempt_number, second.attempt_number, third.attempt_number] == [1, 2, 1]
    assert data["_current_question_index"] == 3
    stored = AssessmentSession.from_dict(data["_session"])
    assert [r.response for r in stored.responses] == ["Lyon", "Paris", "4"]
    assert stored.responses[0].time_taken_ms == 3500


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ([True, True, True], 1.0),
        ([True, False, True], 2 / 3),
        ([False, False], 0.0),
        ([], 0.0),
        ([True, None], 0.5),  # an unscored response counts in the denominator
    ],
)
async def test_finalize_score_is_correct_over_total(
    answers: list[bool | None], score: float
) -> None:
    data: dict[str, Any] = {}
    await start_assessment_session(data, "art_q", "s1")
    for i, correct in enumerate(answers):
        await record_response(data, f"q{i}", "a", correct=correct)
    session = await finalize_assessment(data=data)
    assert session.score == pytest.approx(score)
    assert session.is_complete
    assert data["_assessment_score"] == pytest.approx(score)
    assert data["_assessment_complete"] is True
    assert session.correct_count == sum(1 for a in answers if a is True)
    assert session.total_responses == len(answers)


async def test_finalize_is_idempotent_and_closes_the_session() -> None:
    data: dict[str, Any] = {}
    await start_assessment_session(data, "art_q", "s1")
    await record_response(data, "q1", "a", correct=True)
    first = await finalize_assessment(data)
    again = await finalize_assessment(data)
    assert again.completed_at == first.completed_at and again.score == first.score
    with pytest.raises(ArtifactValidationError) as info:
        await record_response(data, "q2", "b", correct=True)
    assert info.value.field == "data._session"


async def test_no_session_errors() -> None:
    with pytest.raises(ArtifactValidationError, match="_session"):
        await record_response({}, "q1", "a")
    with pytest.raises(ArtifactValidationError, match="_session"):
        await finalize_assessment({})


def finished(
    correct: int, total: int, completed_at: str = "2026-01-01T00:00:00Z"
) -> AssessmentSession:
    s = AssessmentSession(student_id="s1")
    s.responses = [StudentResponse(question_id=f"q{i}", correct=i < correct) for i in range(total)]
    s.completed_at = completed_at
    s.score = correct / total
    return s


def test_cumulative_performance_formulas() -> None:
    perf = CumulativePerformance(student_id="s1", topic="biology")
    perf.update_from_session(finished(3, 4, "2026-01-01T00:00:00Z"))  # 0.75
    perf.update_from_session(finished(1, 2, "2026-01-02T00:00:00Z"))  # 0.50
    assert perf.total_sessions == 2
    assert perf.total_questions_attempted == 6
    assert perf.correct_count == 4
    assert perf.average_score == pytest.approx((0.75 + 0.5) / 2)
    assert perf.mastery_estimate == pytest.approx(4 / 6)
    assert perf.last_session_at == "2026-01-02T00:00:00Z"
    assert CumulativePerformance.from_dict(perf.to_dict()) == perf


def test_cumulative_rejects_unfinished_session() -> None:
    with pytest.raises(ArtifactValidationError) as info:
        CumulativePerformance().update_from_session(AssessmentSession())
    assert info.value.field == "session"
