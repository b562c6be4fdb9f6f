"""Assessment sessions kept in a wizard's data dict (seed 000, "Assessment Sessions").

Formulas:

- Session score: ``score = correct_count / total_responses`` (0.0 with no response), where
  every recorded attempt counts as a response. Example: q1 wrong, q1 right, q2 right ->
  ``2 / 3 = 0.667``.
- Running average over sessions: ``average_n = (average_{n-1} * (n - 1) + score_n) / n``.
- Mastery estimate: the correct rate over all sessions,
  ``mastery = correct_count / total_questions_attempted``.

The session lives in ``data["_session"]`` as a dict, so it survives with the wizard state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assay.artifacts import fields as f
from assay.artifacts.errors import ArtifactValidationError
from assay.storage.base import new_id


@dataclass
class StudentResponse:
    """One answer to one question.

    Attributes:
        question_id: Question identifier.
        response: The answer (any JSON value).
        correct: Correctness for deterministic scoring, ``None`` if not scored.
        rubric_score: Score in [0, 1] for rubric-scored responses.
        time_taken_ms: Time spent, in milliseconds (>= 0).
        attempt_number: Which attempt at the question (1-based).
    """

    question_id: str = ""
    response: Any = None
    correct: bool | None = None
    rubric_score: float | None = None
    time_taken_ms: int | None = None
    attempt_number: int = 1

    def __post_init__(self) -> None:
        f.text("question_id", self.question_id)
        if self.correct is not None:
            f.flag("correct", self.correct)
        if self.rubric_score is not None:
            self.rubric_score = f.number("rubric_score", self.rubric_score, low=0.0, high=1.0)
        if self.time_taken_ms is not None and (
            isinstance(self.time_taken_ms, bool)
            or not isinstance(self.time_taken_ms, int)
            or self.time_taken_ms < 0
        ):
            raise ArtifactValidationError("time_taken_ms", "must be an integer >= 0")
        if (
            isinstance(self.attempt_number, bool)
            or not isinstance(self.attempt_number, int)
            or self.attempt_number < 1
        ):
            raise ArtifactValidationError("attempt_number", "must be an integer >= 1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "response": self.response,
            "correct": self.correct,
            "rubric_score": self.rubric_score,
            "time_taken_ms": self.time_taken_ms,
            "attempt_number": self.attempt_number,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudentResponse:
        return cls(
            question_id=data.get("question_id", ""),
            response=data.get("response"),
            correct=data.get("correct"),
            rubric_score=data.get("rubric_score"),
            time_taken_ms=data.get("time_taken_ms"),
            attempt_number=data.get("attempt_number", 1),
        )


@dataclass
class AssessmentSession:
    """One student's attempt at an assessment.

    Attributes:
        id: Unique id, ``sess_`` prefix (auto).
        student_id: Student identifier.
        assessment_artifact_id: The assessment artifact's id.
        assessment_version: The assessment artifact's version.
        started_at: Start time, UTC ISO-8601 (auto).
        completed_at: Completion time, ``None`` while ongoing.
        responses: Responses in the order recorded.
        score: Final score in [0, 1], ``None`` until finalized.
        rubric_evaluation_id: Rubric evaluation id, if any.
    """

    id: str = field(default_factory=lambda: new_id("sess"))
    student_id: str = ""
    assessment_artifact_id: str = ""
    assessment_version: str = ""
    started_at: str = field(default_factory=f.now_iso)
    completed_at: str | None = None
    responses: list[StudentResponse] = field(default_factory=list)
    score: float | None = None
    rubric_evaluation_id: str | None = None

    def __post_init__(self) -> None:
        for name in (
            "id",
            "student_id",
            "assessment_artifact_id",
            "assessment_version",
            "started_at",
        ):
            f.text(name, getattr(self, name))
        f.opt_text("completed_at", self.completed_at)
        f.opt_text("rubric_evaluation_id", self.rubric_evaluation_id)
        self.responses = f.records(
            "responses", self.responses, StudentResponse, StudentResponse.from_dict
        )
        if self.score is not None:
            self.score = f.number("score", self.score, low=0.0, high=1.0)

    @property
    def is_complete(self) -> bool:
        """``True`` once finalized (``completed_at`` is set)."""
        return self.completed_at is not None

    @property
    def correct_count(self) -> int:
        """Responses marked correct."""
        return sum(1 for r in self.responses if r.correct is True)

    @property
    def total_responses(self) -> int:
        """Responses recorded (every attempt counts)."""
        return len(self.responses)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "student_id": self.student_id,
            "assessment_artifact_id": self.assessment_artifact_id,
            "assessment_version": self.assessment_version,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "responses": [r.to_dict() for r in self.responses],
            "score": self.score,
            "rubric_evaluation_id": self.rubric_evaluation_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssessmentSession:
        if not isinstance(data, dict):
            raise ArtifactValidationError("session", "must be an object (mapping)")
        return cls(
            id=data.get("id") or new_id("sess"),
            student_id=data.get("student_id", ""),
            assessment_artifact_id=data.get("assessment_artifact_id", ""),
            assessment_version=data.get("assessment_version", ""),
            started_at=data.get("started_at") or f.now_iso(),
            completed_at=data.get("completed_at"),
            responses=list(data.get("responses", [])),
            score=data.get("score"),
            rubric_evaluation_id=data.get("rubric_evaluation_id"),
        )


@dataclass
class CumulativePerformance:
    """A student's performance on a topic across sessions (see the module formulas).

    Attributes:
        student_id: Student identifier.
        topic: Topic or subject area.
        total_sessions: Sessions folded in.
        total_questions_attempted: Responses across sessions.
        correct_count: Correct responses across sessions.
        average_score: Running mean of session scores.
        mastery_estimate: ``correct_count / total_questions_attempted``.
        last_session_at: Completion time of the last session folded in.
    """

    student_id: str = ""
    topic: str = ""
    total_sessions: int = 0
    total_questions_attempted: int = 0
    correct_count: int = 0
    average_score: float = 0.0
    mastery_estimate: float = 0.0
    last_session_at: str = ""

    def update_from_session(self, session: AssessmentSession) -> None:
        """Fold one finalized session in.

        Raises:
            ArtifactValidationError: If the session is not finalized (field ``session``).
        """
        if not session.is_complete or session.score is None:
            raise ArtifactValidationError(
                "session", "must be finalized (finalize_assessment) first"
            )
        self.total_sessions += 1
        self.total_questions_attempted += session.total_responses
        self.correct_count += session.correct_count
        self.last_session_at = session.completed_at or ""
        n = self.total_sessions
        self.average_score = (self.average_score * (n - 1) + session.score) / n
        if self.total_questions_attempted:
            self.mastery_estimate = self.correct_count / self.total_questions_attempted

    def to_dict(self) -> dict[str, Any]:
        return {
            "student_id": self.student_id,
            "topic": self.topic,
            "total_sessions": self.total_sessions,
            "total_questions_attempted": self.total_questions_attempted,
            "correct_count": self.correct_count,
            "average_score": self.average_score,
            "mastery_estimate": self.mastery_estimate,
            "last_session_at": self.last_session_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CumulativePerformance:
        return cls(**{k: data[k] for k in cls().to_dict() if k in data})


async def start_assessment_session(
    data: dict[str, Any],
    assessment_artifact_id: str,
    student_id: str,
    question_ids: list[str] | None = None,
    *,
    assessment_version: str | None = None,
) -> AssessmentSession:
    """Start a session and put it in ``data``.

    Sets ``data["_session"]`` (the session dict), ``data["_session_id"]``,
    ``data["_current_question_index"] = 0``, ``data["_total_questions"]`` and
    ``data["_question_ids"]``. The version is ``assessment_version``, else
    ``data["_assessment_version"]``, else ``"1.0.0"``.

    Raises:
        ArtifactValidationError: On a bad argument, naming it.
    """
    f.text("assessment_artifact_id", assessment_artifact_id, empty=False)
    f.text("student_id", student_id, empty=False)
    ids = f.text_list("question_ids", list(question_ids) if question_ids is not None else [])
    session = AssessmentSession(
        student_id=student_id,
        assessment_artifact_id=assessment_artifact_id,
        assessment_version=assessment_version or str(data.get("_assessment_version") or "1.0.0"),
    )
    data["_session"] = session.to_dict()
    data["_session_id"] = session.id
    data["_current_question_index"] = 0
    data["_total_questions"] = len(ids)
    data["_question_ids"] = ids
    return session


def _active(data: dict[str, Any]) -> AssessmentSession:
    raw = data.get("_session")
    if not raw:
        raise ArtifactValidationError(
            "data._session", "must hold an active session (start_assessment_session)"
        )
    return AssessmentSession.from_dict(raw)


async def record_response(
    data: dict[str, Any],
    question_id: str,
    response: Any,
    correct: bool | None = None,
    time_taken_ms: int | None = None,
    *,
    rubric_score: float | None = None,
) -> StudentResponse:
    """Append a response to the session in ``data`` and advance the question index.

    ``attempt_number`` is 1 + the responses already recorded for ``question_id``.

    Raises:
        ArtifactValidationError: No session, a finalized session (``data._session``), or a
            bad argument.
    """
    session = _active(data)
    if session.is_complete:
        raise ArtifactValidationError("data._session", "is finalized; start a new session")
    f.text("question_id", question_id, empty=False)
    answer = StudentResponse(
        question_id=question_id,
        response=response,
        correct=correct,
        rubric_score=rubric_score,
        time_taken_ms=time_taken_ms,
        attempt_number=1 + sum(1 for r in session.responses if r.question_id == question_id),
    )
    session.responses.append(answer)
    data["_session"] = session.to_dict()
    data["_current_question_index"] = int(data.get("_current_question_index", 0)) + 1
    return answer


async def finalize_assessment(data: dict[str, Any]) -> AssessmentSession:
    """Complete the session in ``data`` and score it (``correct_count / total_responses``).

    Sets ``data["_assessment_score"]`` and ``data["_assessment_complete"] = True``. Finalizing
    a finalized session changes nothing and returns it.

    Raises:
        ArtifactValidationError: No session in ``data``.
    """
    session = _active(data)
    if not session.is_complete:
        session.completed_at = f.now_iso()
        total = session.total_responses
        session.score = session.correct_count / total if total else 0.0
    data["_session"] = session.to_dict()
    data["_assessment_score"] = session.score
    data["_assessment_complete"] = True
    return session


__all__ = [
    "AssessmentSession",
    "CumulativePerformance",
    "StudentResponse",
    "finalize_assessment",
    "record_response",
    "start_assessment_session",
]
