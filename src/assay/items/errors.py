"""Errors of the item-generation package.

Exception tree::

    BlueprintError (ValueError)        a blueprint is invalid: names the file and the field path
    UnknownBlueprintError (KeyError)   no skill or assessment blueprint has this id
    GenerationError (RuntimeError)     a generator could not produce an item for the request
"""

from __future__ import annotations

__all__ = ["BlueprintError", "GenerationError", "UnknownBlueprintError"]


class BlueprintError(ValueError):
    """A skill or assessment blueprint breaks a rule.

    Args:
        path: Dotted field path of the offending value, e.g.
            ``"skills[2].presentation.option_count"`` or ``"sections[0].difficulty_distribution"``.
        rule: The rule it broke, e.g. ``"must sum to item_count (5), got 4"``.
        source: The file the blueprint came from, or ``None`` when built in code.

    Attributes:
        path: As given.
        rule: As given.
        source: As given.
    """

    def __init__(self, path: str, rule: str, *, source: str | None = None) -> None:
        self.path = path
        self.rule = rule
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{path}: {rule}" if path else f"{where}{rule}")

    def located(self, source: str, prefix: str = "") -> BlueprintError:
        """The same error, placed in ``source`` under the field path ``prefix``."""
        path = ".".join(p for p in (prefix, self.path) if p)
        return BlueprintError(path, self.rule, source=source)


class UnknownBlueprintError(KeyError):
    """No blueprint of the catalog has the requested id.

    Args:
        blueprint_id: The id asked for.
        kind: ``"skill"`` or ``"assessment"``.
        known: The ids the catalog does hold (listed in the message, at most 20).

    Attributes:
        blueprint_id: As given.
        kind: As given.
    """

    def __init__(self, blueprint_id: str, *, kind: str, known: list[str] | None = None) -> None:
        self.blueprint_id = blueprint_id
        self.kind = kind
        hint = ""
        if known:
            listed = ", ".join(sorted(known)[:20])
            hint = f"; known: {listed}" + (", ..." if len(known) > 20 else "")
        self.message = f"unknown {kind} blueprint {blueprint_id!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class GenerationError(RuntimeError):
    """A generator could not produce the requested item within its bounded attempts.

    Attributes:
        skill_id: The skill blueprint asked for.
        band: The difficulty band asked for, if any.
    """

    def __init__(self, message: str, *, skill_id: str, band: str | None = None) -> None:
        super().__init__(message)
        self.skill_id = skill_id
        self.band = band
