"""LLM decode: prompts, answer parsing, self-consistency voting and invocation records.

Pure functions used by :class:`~assay.rubrics.executor.RubricExecutor` for ``LLM_DECODE``
criteria (seed 001, "LLM Decode Scoring"):

1. :func:`render_decode_prompt` renders the criterion's Jinja2 template in a sandbox
   (:class:`jinja2.sandbox.SandboxedEnvironment`) with the target's keys as variables;
2. :func:`build_decode_system_message` lists every level's id, description and indicators and
   asks for ``{"level_id": "..."}``;
3. :func:`parse_level_response` reads the answer: JSON first, then a fenced JSON block, then a
   JSON object embedded in prose, then a bare level id in the text;
4. :func:`majority_level` picks the level of ``n`` samples (self-consistency, Wang et al. 2023,
   "Self-Consistency Improves Chain of Thought Reasoning in Language Models", ICLR);
5. :func:`invocation_record` records model, prompt hash, response hash, timestamp and usage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from assay.rubrics.models import RubricCriterion, canonical_json
from assay.storage.base import iso, utcnow

_FENCE_RE = re.compile(r"```[ \t]*(?:json|JSON|javascript)?[ \t]*\n?(.*?)```", re.DOTALL)
_LEVEL_KEYS = ("level_id", "level", "label")


@cache
def template_environment() -> SandboxedEnvironment:
    """The shared sandboxed Jinja2 environment of decode prompts (no autoescape).

    Undefined variables are errors (:class:`jinja2.StrictUndefined`): a prompt naming a key
    the target lacks fails to render instead of sending the model a blank to judge.
    """
    return SandboxedEnvironment(
        autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined
    )


def render_decode_prompt(template: str | None, target: Mapping[str, Any]) -> str:
    """Render the user prompt of one criterion.

    The target's keys are template variables and the whole target is ``target`` (a key of
    the target named ``target`` wins). Without a template the target is sent as JSON.

    Raises:
        jinja2.TemplateError: On a template error, including a variable the target lacks
            (:class:`jinja2.exceptions.UndefinedError`, "'questions' is undefined") and
            sandbox violations (:class:`jinja2.exceptions.SecurityError`).
    """
    if template is None:
        return "Evaluate the following content:\n\n" + json.dumps(
            target, indent=2, sort_keys=True, ensure_ascii=False, default=str
        )
    context = {"target": target, **{str(k): v for k, v in target.items()}}
    return template_environment().from_string(template).render(context)


def _level_lines(criterion: RubricCriterion) -> list[str]:
    lines = []
    for level in criterion.levels:
        lines.append(f"- {level.id}: {level.description}")
        if level.indicators:
            lines.append("  Indicators: " + "; ".join(level.indicators))
    return lines


def build_decode_system_message(
    criterion: RubricCriterion, *, output_schema: dict[str, Any] | None = None
) -> str:
    """The system message for one criterion: its levels and the required answer shape."""
    ids = ", ".join(level.id for level in criterion.levels)
    parts = [
        "You are an evaluator. Classify the content into exactly one quality level of the "
        "criterion below.",
        "",
        f"Criterion: {criterion.name}",
        f"Description: {criterion.description}",
        "",
        "Levels:",
        *_level_lines(criterion),
        "",
        'Respond with JSON only, in the form {"level_id": "<id>"}, where <id> is one of: '
        + ids
        + ".",
    ]
    if output_schema is not None:
        parts += ["The answer must match this JSON Schema:", canonical_json(output_schema)]
    return "\n".join(parts)


def build_batch_system_message(criteria: Sequence[RubricCriterion]) -> str:
    """The system message asking for the levels of several criteria in one JSON answer."""
    parts = [
        "You are an evaluator. For each criterion below, classify the content into exactly one "
        "of that criterion's quality levels.",
    ]
    for criterion in criteria:
        parts += [
            "",
            f"Criterion {criterion.id}: {criterion.name}",
            f"Description: {criterion.description}",
        ]
        parts += ["Levels:", *_level_lines(criterion)]
    example = ", ".join(f'"{c.id}": {{"level_id": "<id>"}}' for c in criteria)
    parts += ["", "Respond with JSON only, in the form {" + example + "}."]
    return "\n".join(parts)


def batch_output_schema(criteria: Sequence[RubricCriterion]) -> dict[str, Any]:
    """JSON Schema of the one-call answer: ``{criterion_id: {"level_id": <enum>}}``."""
    return {
        "type": "object",
        "properties": {
            c.id: {
                "type": "object",
                "properties": {"level_id": {"type": "string", "enum": [lv.id for lv in c.levels]}},
                "required": ["level_id"],
                "additionalProperties": False,
            }
            for c in criteria
        },
        "required": [c.id for c in criteria],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class ParsedLevel:
    """A level read from an answer.

    Attributes:
        level_id: The level id (canonical spelling).
        how: ``"json"``, ``"fenced_json"``, ``"embedded_json"`` or ``"text"``.
        payload: The JSON object the level came from, if any (it may carry a rationale).
    """

    level_id: str
    how: str
    payload: dict[str, Any] | None = None


def match_level_id(value: Any, level_ids: Sequence[str]) -> str | None:
    """The level id ``value`` names: exact, else the one id equal to it ignoring case."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in level_ids:
        return text
    folded = [lid for lid in level_ids if lid.casefold() == text.casefold()]
    return folded[0] if len(folded) == 1 else None


def _level_from_json(value: Any, level_ids: Sequence[str]) -> tuple[bool, str | None]:
    """(was this an answer-shaped JSON value, the level it names)."""
    if isinstance(value, dict):
        for key in _LEVEL_KEYS:
            if key in value:
                return True, match_level_id(value[key], level_ids)
        return True, None
    if isinstance(value, str):
        return True, match_level_id(value, level_ids)
    return False, None


def json_candidates(text: str) -> list[tuple[str, Any]]:
    """JSON values in an answer, in order: the whole text, fenced blocks, an embedded object."""
    out: list[tuple[str, Any]] = []
    with contextlib.suppress(ValueError):
        out.append(("json", json.loads(text.strip())))
    for block in _FENCE_RE.findall(text):
        try:
            out.append(("fenced_json", json.loads(block.strip())))
        except ValueError:
            continue
    if not out:
        decoder = json.JSONDecoder()
        for match in re.finditer(r"\{", text):
            try:
                value, _end = decoder.raw_decode(text, match.start())
            except ValueError:
                continue
            out.append(("embedded_json", value))
            break
    return out


def parse_level_response(text: str | None, level_ids: Sequence[str]) -> ParsedLevel | None:
    """Read the level a model chose.

    Order: the whole answer as JSON (``{"level_id": "pass"}`` or ``"pass"``), then a fenced
    JSON block, then the first JSON object embedded in prose, then a bare level id: the
    answer, stripped of quotes and punctuation, equals a level id, or exactly one level id
    occurs in it as a whole word (case-insensitive). A JSON answer naming no valid level, or
    text naming several levels, is unparseable.

    Returns:
        The :class:`ParsedLevel`, or ``None`` when no level can be read.

    Example:
        >>> parse_level_response('```json\\n{"level_id": "pass"}\\n```', ["fail", "pass"]).level_id
        'pass'
        >>> parse_level_response("pass", ["fail", "pass"]).how
        'text'
    """
    if not text or not text.strip():
        return None
    for how, value in json_candidates(text):
        shaped, level_id = _level_from_json(value, level_ids)
        if level_id is not None:
            return ParsedLevel(level_id, how, value if isinstance(value, dict) else None)
        if shaped and isinstance(value, dict):
            return None
    bare = text.strip().strip("\"'`*.!,;: \n\t")
    level_id = match_level_id(bare, level_ids)
    if level_id is not None:
        return ParsedLevel(level_id, "text")
    found = {
        lid
        for lid in level_ids
        if re.search(r"(?<![\w-])" + re.escape(lid) + r"(?![\w-])", text, re.IGNORECASE)
    }
    if len(found) == 1:
        return ParsedLevel(found.pop(), "text")
    return None


def rationale(payload: dict[str, Any] | None) -> list[str]:
    """Evidence a model gave next to its level (``reasoning``, ``rationale``, ``evidence``...)."""
    if not payload:
        return []
    out: list[str] = []
    for key in ("reasoning", "rationale", "explanation", "evidence", "justification"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
        elif isinstance(value, list):
            out.extend(str(v) for v in value if str(v).strip())
    return out


def majority_level(
    votes: Sequence[str | None], *, scores: Mapping[str, float], samples: int
) -> tuple[str | None, float, dict[str, int]]:
    """The most frequent level among ``samples`` answers (``None`` = unparseable sample).

    Ties go to the lower-scoring level (the conservative choice), then to the level named
    first. ``agreement = votes_for_winner / samples``: unparseable samples count against it.

    Returns:
        ``(level_id or None, agreement, {level_id: votes})``.

    Example:
        >>> majority_level(["pass", "fail", "pass", None], scores={"fail": 0, "pass": 1}, samples=4)
        ('pass', 0.5, {'pass': 2, 'fail': 1})
    """
    counts = Counter(v for v in votes if v is not None)
    if not counts:
        return None, 0.0, {}
    order = {lid: i for i, lid in enumerate(dict.fromkeys(v for v in votes if v is not None))}
    winner = min(counts, key=lambda lid: (-counts[lid], scores.get(lid, 0.0), order[lid]))
    return winner, counts[winner] / max(samples, 1), dict(counts)


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of a UTF-8 text."""
    return hashlib.sha256(text.encode()).hexdigest()


def prompt_hash(system: str, user: str, parameters: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the system prompt, the user prompt and the call parameters."""
    return sha256_text(
        canonical_json({"system": system, "user": user, "parameters": dict(parameters)})
    )


def invocation_record(
    *,
    model: str,
    system: str,
    user: str,
    parameters: Mapping[str, Any],
    responses: Sequence[str],
    usages: Sequence[Mapping[str, int]],
    votes: Mapping[str, int] | None = None,
    purpose: str = "decode_intent",
) -> dict[str, Any]:
    """The ``llm_invocation`` of a criterion result.

    Keys: ``purpose``, ``model``, ``prompt_hash`` (:func:`prompt_hash`), ``response_hash``
    (SHA-256 of the answer; with several samples, of their hashes joined by newlines),
    ``timestamp`` (UTC ISO-8601), ``usage`` (summed ``prompt_tokens``, ``completion_tokens``,
    ``total_tokens``), ``parameters``, and with several samples ``samples``,
    ``response_hashes`` and ``votes``.
    """
    hashes = [sha256_text(r) for r in responses]
    usage = {
        key: sum(int(u.get(key, 0)) for u in usages)
        for key in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    record: dict[str, Any] = {
        "purpose": purpose,
        "model": model,
        "prompt_hash": prompt_hash(system, user, parameters),
        "response_hash": hashes[0] if len(hashes) == 1 else sha256_text("\n".join(hashes)),
        "timestamp": iso(utcnow()),
        "usage": usage,
        "parameters": dict(parameters),
    }
    if len(responses) > 1:
        record["samples"] = len(responses)
        record["response_hashes"] = hashes
    if votes is not None:
        record["votes"] = dict(votes)
    return record


__all__ = [
    "ParsedLevel",
    "batch_output_schema",
    "build_batch_system_message",
    "build_decode_system_message",
    "invocation_record",
    "json_candidates",
    "majority_level",
    "match_level_id",
    "parse_level_response",
    "prompt_hash",
    "rationale",
    "render_decode_prompt",
    "sha256_text",
    "template_environment",
]
