"""Markdown views of evaluations and provenance (seed 000, "Display Helpers").

Pure functions. Evaluations may be ``RubricEvaluation`` objects or their ``to_dict()`` form
(as ``ArtifactRegistry.get_evaluations`` returns them); criterion results and criterion
definitions likewise. Scores print as percentages with one decimal (``0.85`` -> ``85.0%``);
``|`` inside table cells is escaped.

Example:
    >>> print(format_evaluation_summary({"rubric_id": "content_quality",
    ...     "rubric_version": "1.0.0", "weighted_score": 0.85, "passed": True,
    ...     "criterion_results": [{"criterion_id": "clarity", "level_id": "excellent",
    ...     "score": 0.9}], "feedback_summary": ""}))
    ## Evaluation Summary
    <BLANKLINE>
    **Rubric:** content_quality (v1.0.0)
    **Score:** 85.0%
    **Result:** PASSED
    <BLANKLINE>
    ### Criteria Results
    <BLANKLINE>
    | Criterion | Level | Score |
    |-----------|-------|-------|
    | clarity | excellent | 90.0% |
    <BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assay.artifacts.provenance import ProvenanceRecord


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _pct(value: Any) -> str:
    return f"{float(value):.1%}"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


_NOT_EVALUATED = ("error", "unable_to_evaluate")


def _status(passed: Any) -> str:
    return "PASSED" if passed else "FAILED"


def _incomplete(evaluation: Any) -> bool:
    status = _get(evaluation, "status", "complete")
    return str(getattr(status, "value", status)) == "incomplete"


def _of_evaluated(evaluation: Any) -> str:
    return " (of the criteria that could be evaluated)" if _incomplete(evaluation) else ""


def _result(evaluation: Any) -> str:
    """``PASSED``/``FAILED``, or for an incomplete evaluation which criteria could not be
    evaluated and why: ``incomplete: criterion X could not be evaluated: <reason>``."""
    if not _incomplete(evaluation):
        return _status(_get(evaluation, "passed"))
    missing = [
        r
        for r in _get(evaluation, "criterion_results") or []
        if _get(r, "level_id") in _NOT_EVALUATED
    ]
    if not missing:
        return "incomplete: no criterion could be evaluated"
    return "incomplete: " + "; ".join(
        f"criterion {_get(r, 'criterion_id')} could not be evaluated: "
        f"{_get(r, 'notes') or _get(r, 'level_id')}"
        for r in missing
    )


def format_evaluation_summary(evaluation: Any) -> str:
    """Rubric, score, result, a criteria table and the feedback of one evaluation.

    Args:
        evaluation: A ``RubricEvaluation`` or its dict.

    Returns:
        Markdown (sections without content are left out).
    """
    lines = [
        "## Evaluation Summary",
        "",
        f"**Rubric:** {_get(evaluation, 'rubric_id', '')} "
        f"(v{_get(evaluation, 'rubric_version', '')})",
        f"**Score:** {_pct(_get(evaluation, 'weighted_score', 0.0))}{_of_evaluated(evaluation)}",
        f"**Result:** {_result(evaluation)}",
        "",
    ]
    results = _get(evaluation, "criterion_results") or []
    if results:
        lines += [
            "### Criteria Results",
            "",
            "| Criterion | Level | Score |",
            "|-----------|-------|-------|",
        ]
        for r in results:
            cells = [_cell(_get(r, "criterion_id")), _cell(_get(r, "level_id"))]
            lines.append(f"| {cells[0]} | {cells[1]} | {_pct(_get(r, 'score', 0.0))} |")
        lines.append("")
    feedback = _get(evaluation, "feedback_summary") or ""
    if feedback:
        lines += ["### Feedback", "", str(feedback), ""]
    return "\n".join(lines)


def format_criterion_detail(result: Any, criterion: Any | None = None) -> str:
    """One criterion result: level, score, the level's description and indicators (when the
    criterion definition is given), evidence and notes.

    Args:
        result: A ``CriterionResult`` or its dict.
        criterion: The ``RubricCriterion`` (or dict) it was scored against, optional.
    """
    header = _get(criterion, "name") if criterion is not None else None
    level_id = _get(result, "level_id", "")
    lines = [
        f"### {header or _get(result, 'criterion_id', '')}",
        "",
        f"**Level:** {level_id}",
        f"**Score:** {_pct(_get(result, 'score', 0.0))}",
        "",
    ]
    if criterion is not None:
        for level in _get(criterion, "levels") or []:
            if _get(level, "id") == level_id:
                if _get(level, "description"):
                    lines += [f"*{_get(level, 'description')}*", ""]
                indicators = _get(level, "indicators") or []
                if indicators:
                    lines += ["**Indicators:**", *[f"- {i}" for i in indicators], ""]
                break
    evidence = _get(result, "evidence") or []
    if evidence:
        lines += ["**Evidence:**", *[f"- {e}" for e in evidence], ""]
    notes = _get(result, "notes") or ""
    if notes:
        lines += [f"**Notes:** {notes}", ""]
    return "\n".join(lines)


def _criterion_score(evaluation: Any, criterion_id: str) -> float | None:
    for r in _get(evaluation, "criterion_results") or []:
        if _get(r, "criterion_id") == criterion_id:
            return float(_get(r, "score", 0.0))
    return None


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "-"
    diff = after - before
    if abs(diff) < 1e-12:
        return "="
    return f"+{diff:.1%}" if diff > 0 else f"{diff:.1%}"


def format_comparison(evaluations: Sequence[Any]) -> str:
    """Evaluations side by side (columns ``v1``, ``v2``...): overall score and result, then
    per-criterion scores; with exactly two, a ``Change`` column (``+5.0%``, ``-5.0%``, ``=``).

    No evaluation gives ``"No evaluations to compare."``; one gives its summary.
    """
    if not evaluations:
        return "No evaluations to compare."
    if len(evaluations) == 1:
        return format_evaluation_summary(evaluations[0])
    heads = " ".join(f"v{i + 1} |" for i in range(len(evaluations)))
    seps = "------|" * len(evaluations)
    two = len(evaluations) == 2
    lines = ["## Evaluation Comparison", "", "### Overall Scores", ""]
    lines.append(f"| Metric | {heads}" + (" Change |" if two else ""))
    lines.append(f"|--------|{seps}" + ("--------|" if two else ""))
    scores = [float(_get(e, "weighted_score", 0.0)) for e in evaluations]
    lines.append(
        "| Score | "
        + " ".join(f"{_pct(s)} |" for s in scores)
        + (f" {_change(*scores)} |" if two else "")
    )
    lines.append(
        "| Result | "
        + " ".join(f"{'Pass' if _get(e, 'passed') else 'Fail'} |" for e in evaluations)
        + (" |" if two else "")
    )
    lines.append("")
    criteria: list[str] = []
    for e in evaluations:
        for r in _get(e, "criterion_results") or []:
            cid = str(_get(r, "criterion_id"))
            if cid not in criteria:
                criteria.append(cid)
    if criteria:
        lines += ["### Per-Criterion Scores", ""]
        lines.append(f"| Criterion | {heads}" + (" Change |" if two else ""))
        lines.append(f"|-----------|{seps}" + ("--------|" if two else ""))
        for cid in criteria:
            values = [_criterion_score(e, cid) for e in evaluations]
            row = f"| {_cell(cid)} | " + " ".join(
                f"{_pct(v) if v is not None else '-'} |" for v in values
            )
            if two:
                row += f" {_change(values[0], values[1])} |"
            lines.append(row)
        lines.append("")
    return "\n".join(lines)


def format_provenance_chain(provenance: ProvenanceRecord) -> str:
    """A provenance record as a timeline: creation, context, sources, tool chain, LLM
    invocations, reviews and revisions (sections without entries are left out)."""
    lines = [
        "## Provenance",
        "",
        f"**Created by:** {provenance.created_by}",
        f"**Method:** {provenance.creation_method}",
        f"**Created at:** {provenance.created_at}",
        "",
    ]
    if provenance.creation_context:
        lines += ["### Creation Context", ""]
        lines += [f"- **{k}:** {v}" for k, v in provenance.creation_context.items()]
        lines.append("")
    if provenance.sources:
        lines += ["### Sources", ""]
        for s in provenance.sources:
            where = f" ({s.source_location})" if s.source_location else ""
            lines.append(
                f"- **{s.source_type}:** {s.source_id}{where} (confidence {s.confidence:.0%})"
            )
            if s.relevance:
                lines.append(f"  Relevance: {s.relevance}")
            if s.excerpt:
                lines.append(f"  > {s.excerpt}")
        lines.append("")
    if provenance.tool_chain:
        lines += ["### Tool Chain", ""]
        for t in provenance.tool_chain:
            version = f" v{t.tool_version}" if t.tool_version else ""
            lines.append(f"- {t.timestamp} **{t.tool_name}**{version}")
            if t.parameters:
                lines.append(f"  Parameters: {t.parameters}")
        lines.append("")
    if provenance.llm_invocations:
        lines += ["### LLM Invocations", ""]
        for i in provenance.llm_invocations:
            model = f" ({i.model})" if i.model else ""
            digest = f" prompt {i.prompt_hash}" if i.prompt_hash else ""
            lines.append(f"- {i.timestamp} **{i.purpose}**{model}{digest}")
        lines.append("")
    if provenance.review_history:
        lines += ["### Reviews", "", *[f"- {eid}" for eid in provenance.review_history], ""]
    if provenance.revision_history:
        lines += ["### Revision History", ""]
        for r in provenance.revision_history:
            lines.append(f"- {r.timestamp} **v{r.previous_version}** revised ({r.revision_id})")
            lines.append(f"  Reason: {r.reason}")
            if r.changes_summary:
                lines.append(f"  Changes: {r.changes_summary}")
            lines.append(f"  Triggered by: {r.triggered_by}")
        lines.append("")
    return "\n".join(lines)


__all__ = [
    "format_comparison",
    "format_criterion_detail",
    "format_evaluation_summary",
    "format_provenance_chain",
]
