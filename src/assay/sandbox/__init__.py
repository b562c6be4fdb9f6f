"""Running untrusted code: the ``CodeRunner`` port, its sandbox and fake, and test grading.

- ``CodeRunner`` (port): ``await runner.run(source, stdin=..., args=..., files=...,
  limits=Limits(...)) -> RunResult`` with a ``Verdict``, exit status, truncated output,
  ``duration_ms``, ``cpu_ms`` and the ``isolation`` used.
- ``SandboxRunner``: bubblewrap namespaces plus rlimits, or rlimits only where bubblewrap is
  missing (saying what is then unprotected in ``RunResult.unenforced``).
- ``FakeCodeRunner``: scripted results for tests.
- ``SandboxProbe`` (port): can code run here? ``RunnerProbe`` runs a trivial program through
  the real runner (cached); ``FakeSandboxProbe`` for tests.
- ``grade_python_function``: seed 002 §13.5 test-execution grading with partial credit, all
  cases in one sandboxed process.
"""

from assay.sandbox.availability import (
    BWRAP_INSTALL,
    FakeSandboxProbe,
    RunnerProbe,
    SandboxProbe,
    SandboxStatus,
    probe_runner,
)
from assay.sandbox.compare import partial_credit_score, values_equal
from assay.sandbox.errors import SandboxError, SandboxUnavailableError
from assay.sandbox.fake import FakeCodeRunner, RunRequest, scripted_result
from assay.sandbox.grading import (
    CaseStatus,
    GradeResult,
    TestCase,
    TestOutcome,
    grade_python_function,
    grading_limits,
)
from assay.sandbox.limits import Limits
from assay.sandbox.port import CodeRunner
from assay.sandbox.result import Isolation, RunResult, Verdict
from assay.sandbox.runner import SandboxRunner

__all__ = [
    "BWRAP_INSTALL",
    "CaseStatus",
    "CodeRunner",
    "FakeCodeRunner",
    "FakeSandboxProbe",
    "GradeResult",
    "Isolation",
    "Limits",
    "RunRequest",
    "RunResult",
    "RunnerProbe",
    "SandboxError",
    "SandboxProbe",
    "SandboxRunner",
    "SandboxStatus",
    "SandboxUnavailableError",
    "TestCase",
    "TestOutcome",
    "Verdict",
    "grade_python_function",
    "grading_limits",
    "partial_credit_score",
    "probe_runner",
    "scripted_result",
    "values_equal",
]
