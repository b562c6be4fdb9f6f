"""Item fidelity: how a presentation call differs from the served item (seed 002 §10.2, D3).

The backend presents every item verbatim: these pure functions name the first difference
between a call's arguments and the canonical ones. The LLM driver uses them to guard each model
call; the engine uses them again on every client-tool call, whatever the driver.
"""

from __future__ import annotations

from typing import Any

from assay.sessions.tools import CLIENT_TOOLS


def options_problem(given: Any, canonical: list[str]) -> str | None:
    """How ``given`` differs from the canonical options list, or ``None`` if equal.

    Examples (canonical ``["75", "85", "86"]``):

    =====================  ======================
    given                  problem
    =====================  ======================
    ``["75", "85", "86"]`` ``None``
    ``["75", "85"]``       ``option dropped``
    ``["75", "85", "86", "95"]`` ``option added``
    ``["85", "75", "86"]`` ``options reordered``
    ``["75", "85", "87"]`` ``options changed``
    ``"75, 85, 86"``       ``options changed``
    =====================  ======================
    """
    if given == canonical:
        return None
    if not isinstance(given, list) or not all(isinstance(o, str) for o in given):
        return "options changed"
    if len(given) < len(canonical) and set(given) < set(canonical):
        return "option dropped"
    if len(given) > len(canonical) and set(given) > set(canonical):
        return "option added"
    if sorted(given) == sorted(canonical):
        return "options reordered"
    return "options changed"


def arguments_problem(name: str, given: dict[str, Any], canonical: dict[str, Any]) -> str | None:
    """How a call's parsed arguments differ from the canonical call's, or ``None``.

    Client tools must match the canonical arguments exactly: same stem, same options in the
    same order, nothing added. ``record_response`` must name the canonical tool_call_id;
    ``get_next_item`` and ``complete_session`` take no argument that matters.
    """
    if name in CLIENT_TOOLS:
        if given.get("prompt") != canonical.get("prompt"):
            return "stem changed"
        if "options" in canonical:
            problem = options_problem(given.get("options"), canonical["options"])
            if problem is not None:
                return problem
        for key in sorted(set(given) | set(canonical)):
            if key not in canonical:
                return f"argument {key!r} added"
            if given.get(key) != canonical[key]:
                return f"argument {key!r} changed"
        return None
    if name == "record_response" and given.get("tool_call_id") != canonical.get("tool_call_id"):
        return "record_response for the wrong tool call"
    return None


__all__ = ["arguments_problem", "options_problem"]
