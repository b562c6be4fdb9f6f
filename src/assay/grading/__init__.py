"""Scoring responses to served items (seed 002 §13.4 "record_response: compute correctness").

Multiple choice and free text compare with the computed key (``ItemInstance.score``); code
items whose ``generation_params`` carry test cases run them in the sandbox, partial credit =
share of tests passed (seed §13.5, §14 Phase 1B)::

    score = await score_response(item, {"code": source}, runner=SandboxRunner())
    graded = await grade_response(item, {"code": source}, runner=runner)
    graded.score, [t.status for t in graded.tests]   # per-test outcomes, no expected values
"""

from assay.grading.response import (
    CodeTests,
    GradedResponse,
    code_tests,
    grade_response,
    score_response,
)

__all__ = ["CodeTests", "GradedResponse", "code_tests", "grade_response", "score_response"]
