"""Assessments whose grading runs code, on a server whose code sandbox may not work.

Three rules, so that no student is stuck mid-test:

- *Listing*: :func:`catalog_availability` marks an assessment that needs the sandbox
  (:func:`assay.items.requires_sandbox`) unavailable, with its reason and fix, when the
  sandbox probe says code cannot run here. ``assay blueprints list``, ``GET /api/blueprints``
  and the start page all show it.
- *Creation*: :func:`check_available` refuses such a session up front with
  :class:`AssessmentUnavailableError` (HTTP 503 naming the sandbox and how to install it).
- *Grading*: when the sandbox fails while grading an answer, the answer is kept (a
  ``grading_deferred`` session event holding it) and :class:`GradingDeferredError` says so
  (HTTP 503 with ``Retry-After``); the same answer sent again is graded then.
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.items import AssessmentBlueprint, Catalog, requires_sandbox
from assay.sandbox import SandboxError, SandboxProbe, SandboxStatus, SandboxUnavailableError
from assay.sessions.errors import SessionError

GRADING_RETRY_AFTER_S = 5
"""Seconds a client waits before sending a deferred answer again (``Retry-After``)."""
SANDBOX_NAME = "code sandbox (bubblewrap)"
"""How messages name what is missing."""


@dataclass(frozen=True)
class Availability:
    """Whether an assessment can be taken on this server.

    Attributes:
        available: Sessions of it can be created and graded.
        reason: Why not, in words a student can read (``None`` when available).
        fix: What an operator runs to make it available (``None`` when available).
    """

    available: bool
    reason: str | None = None
    fix: str | None = None

    @property
    def label(self) -> str:
        """``"yes"``, or ``"no: <reason> (fix: <fix>)"`` for tables."""
        if self.available:
            return "yes"
        return f"no: {self.reason}" + (f" (fix: {self.fix})" if self.fix else "")


AVAILABLE = Availability(available=True)


def blueprint_availability(
    assessment: AssessmentBlueprint, *, catalog: Catalog, sandbox: SandboxStatus | None
) -> Availability:
    """The availability of ``assessment`` given the sandbox's status (pure).

    Args:
        assessment: The assessment blueprint.
        catalog: The catalog its skills come from.
        sandbox: The probe's status; ``None`` only when no assessment needs it.

    Example:
        >>> from assay.items import load_catalog
        >>> catalog = load_catalog()
        >>> down = SandboxStatus(available=False, reason="bwrap not found", fix="apt-get ...")
        >>> blueprint_availability(catalog.assessment("PY-FUNCTIONS-L1"), catalog=catalog,
        ...                        sandbox=down).available
        False
        >>> blueprint_availability(catalog.assessment("MATH-QUIZ-10"), catalog=catalog,
        ...                        sandbox=down).available
        True
    """
    if not requires_sandbox(assessment, catalog):
        return AVAILABLE
    if sandbox is None:
        raise ValueError(f"sandbox: {assessment.assessment_id} runs code; give the probe's status")
    if sandbox.available:
        return AVAILABLE
    detail = f" ({sandbox.reason})" if sandbox.reason else ""
    return Availability(
        available=False,
        reason=f"this assessment runs your code, and the server's {SANDBOX_NAME} does not "
        f"work{detail}",
        fix=sandbox.fix,
    )


async def catalog_availability(catalog: Catalog, *, probe: SandboxProbe) -> dict[str, Availability]:
    """``assessment_id -> Availability`` for every assessment of ``catalog``.

    The probe is asked (it may run a process, once; its answer is cached) only when some
    assessment needs the sandbox.
    """
    needs = any(requires_sandbox(a, catalog) for a in catalog.assessments.values())
    sandbox = await probe.status() if needs else None
    return {
        assessment_id: blueprint_availability(assessment, catalog=catalog, sandbox=sandbox)
        for assessment_id, assessment in catalog.assessments.items()
    }


class AssessmentUnavailableError(SessionError, SandboxUnavailableError):
    """A session of an assessment this server cannot grade (its code sandbox does not work).

    Attributes:
        blueprint_id: The assessment asked for.
        availability: Its reason and fix.
    """

    def __init__(self, blueprint_id: str, availability: Availability) -> None:
        super().__init__(
            f"assessment {blueprint_id!r} is unavailable: {availability.reason}"
            + (f"; to fix it, run: {availability.fix}" if availability.fix else "")
        )
        self.blueprint_id = blueprint_id
        self.availability = availability


async def check_available(
    assessment: AssessmentBlueprint, *, catalog: Catalog, probe: SandboxProbe
) -> None:
    """Refuse a session of ``assessment`` this server cannot grade.

    Raises:
        AssessmentUnavailableError: It needs the sandbox and the probe says code cannot run.
    """
    if not requires_sandbox(assessment, catalog):
        return
    found = blueprint_availability(assessment, catalog=catalog, sandbox=await probe.status())
    if not found.available:
        raise AssessmentUnavailableError(assessment.assessment_id, found)


class GradingDeferredError(SessionError, SandboxError):
    """The sandbox failed while grading an answer; the answer is kept, send it again.

    Attributes:
        session_id: The session.
        tool_call_id: The pending client action the answer was for (still pending).
        item_number: The item answered.
        retry_after_s: Seconds to wait before sending the same answer again.
        cause: What the sandbox reported, for operators.
    """

    def __init__(
        self,
        *,
        session_id: str,
        tool_call_id: str,
        item_number: int,
        cause: str,
        retry_after_s: int = GRADING_RETRY_AFTER_S,
    ) -> None:
        super().__init__(
            f"your answer to item {item_number} was kept, but it could not be graded just now "
            f"(the server's code sandbox failed); send the same answer again in "
            f"{retry_after_s} seconds to have it graded"
        )
        self.session_id = session_id
        self.tool_call_id = tool_call_id
        self.item_number = item_number
        self.retry_after_s = retry_after_s
        self.cause = cause


__all__ = [
    "AVAILABLE",
    "GRADING_RETRY_AFTER_S",
    "SANDBOX_NAME",
    "AssessmentUnavailableError",
    "Availability",
    "GradingDeferredError",
    "blueprint_availability",
    "catalog_availability",
    "check_available",
]
