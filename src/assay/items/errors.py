"""Errors of the item-generation package.

Exception tree::

    BlueprintError (ValueError)        a blueprint is invalid: names the file and the field path
    └── BlueprintErrors                every error of one load (or one file), in file order
    UnknownBlueprintError (KeyError)   no skill or assessment blueprint has this id
    GenerationError (RuntimeError)     a generator could not produce an item for the request
"""

from __future__ import annotations

__all__ = ["BlueprintError", "BlueprintErrors", "GenerationError", "UnknownBlueprintError"]


class BlueprintError(ValueError):
    """A skill or assessment blueprint breaks a rule.

    Args:
        path: Dotted field path of the offending value, e.g.
            ``"skills[2].presentation.option_count"`` or ``"sections[0].difficulty_distribution"``.
        rule: The rule it broke, e.g. ``"must sum to item_count (5), got 4"``.
        source: The file the blueprint came from, or ``None`` when built in code.
        line: 1-based line of ``path`` in ``source``, when the YAML parser gives one.

    Attributes:
        path: As given.
        rule: As given.
        source: As given.
        line: As given.

    Example:
        >>> str(BlueprintError("skills[0].skill_id", "is required", source="q.yaml", line=3))
        'q.yaml: skills[0].skill_id: is required (line 3)'
    """

    def __init__(
        self, path: str, rule: str, *, source: str | None = None, line: int | None = None
    ) -> None:
        self.path = path
        self.rule = rule
        self.source = source
        self.line = line
        where = f"{source}: " if source else ""
        at = f" (line {line})" if line is not None else ""
        super().__init__(f"{where}{path}: {rule}{at}" if path else f"{where}{rule}{at}")

    def located(self, source: str, prefix: str = "") -> BlueprintError:
        """The same error, placed in ``source`` under the field path ``prefix``."""
        path = ".".join(p for p in (prefix, self.path) if p)
        return BlueprintError(path, self.rule, source=source)

    def at_line(self, line: int | None) -> BlueprintError:
        """The same error with its ``line``."""
        return BlueprintError(self.path, self.rule, source=self.source, line=line)


class BlueprintErrors(BlueprintError):
    """Every error found in one load, one per line of the message.

    ``path``, ``rule``, ``source`` and ``line`` are those of the first error, so code that
    handles a single :class:`BlueprintError` keeps working.

    Args:
        errors: At least one error, in file order.

    Attributes:
        errors: As given.
    """

    def __init__(self, errors: list[BlueprintError]) -> None:
        if not errors:
            raise ValueError("errors: at least one error is needed")
        first = errors[0]
        super().__init__(first.path, first.rule, source=first.source, line=first.line)
        self.errors = list(errors)
        self.args = ("\n".join(str(e) for e in self.errors),)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownBlueprintError(KeyError):
    """No blueprint of the catalog has the requested id.

    Args:
        blueprint_id: The id asked for.
        kind: ``"skill"``, ``"assessment"`` or ``""`` (either).
        known: The ids the catalog does hold (listed in the message, at most 20).
        suggestions: Close ids (``difflib``); when given, the message asks "did you mean"
            instead of listing ``known``.

    Attributes:
        blueprint_id: As given.
        kind: As given.
        suggestions: As given (``[]`` when none).
    """

    def __init__(
        self,
        blueprint_id: str,
        *,
        kind: str,
        known: list[str] | None = None,
        suggestions: list[str] | None = None,
    ) -> None:
        self.blueprint_id = blueprint_id
        self.kind = kind
        self.suggestions = list(suggestions or [])
        hint = ""
        if self.suggestions:
            hint = f"; did you mean {' or '.join(self.suggestions)}?"
        elif known:
            listed = ", ".join(sorted(known)[:20])
            hint = f"; known: {listed}" + (", ..." if len(known) > 20 else "")
        what = f"{kind} blueprint" if kind else "blueprint"
        self.message = f"unknown {what} {blueprint_id!r}{hint}"
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
