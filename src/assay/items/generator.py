"""The generator port and its registry, keyed by ``generation_rules.operation``.

A generator turns a skill blueprint's ``generation_rules`` into concrete parameters, reads
difficulty features off them, computes the key and proposes distractors. Built-in arithmetic
generators (:mod:`assay.items.arithmetic`) register through the same door later domains use
(subnetting, Python)::

    register_generator(SubnetGenerator())
    get_generator("subnet_network_address")
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from assay.items.instance import AnswerKind

if TYPE_CHECKING:
    from assay.items.blueprints import SkillBlueprint

__all__ = ["Generator", "generators", "get_generator", "register_generator"]

Params = dict[str, Any]


class Generator(ABC):
    """One item generator: parameters -> features, key, stem values and distractors.

    Class attributes:
        operation: Registry key, the value of ``generation_rules.operation``.
        rules_model: Pydantic model that validates the whole ``generation_rules`` mapping.
        default_weights: Feature name -> difficulty weight used when the skill's
            ``difficulty_factors`` does not override it (``base`` excluded).
        template_fields: Names a stem template may use (``{op1}``...).
        answer_kind: How a free-text answer is normalised (:func:`normalize_answer`).
        item_types: Presentation item types this generator supports.
        evaluation_methods: ``evaluation.method`` values this generator's items support.
        distractor_names: Distractor strategies :meth:`propose_distractors` knows.
    """

    operation: ClassVar[str]
    rules_model: ClassVar[type[BaseModel]]
    default_weights: ClassVar[Mapping[str, float]]
    template_fields: ClassVar[frozenset[str]]
    answer_kind: ClassVar[AnswerKind]
    item_types: ClassVar[frozenset[str]] = frozenset({"multiple_choice", "free_text"})
    evaluation_methods: ClassVar[frozenset[str]] = frozenset({"exact_match"})
    distractor_names: ClassVar[frozenset[str]] = frozenset()

    def parse_rules(self, rules: Mapping[str, Any]) -> BaseModel:
        """Validate ``generation_rules``.

        Raises:
            pydantic.ValidationError: a rule is missing or out of range.
        """
        return self.rules_model.model_validate(dict(rules))

    @abstractmethod
    def default_base(self, rules: Any) -> float:
        """Base difficulty of a skill whose blueprint does not set ``difficulty_factors.base``."""

    @abstractmethod
    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        """Draw parameters within the rules, or ``None`` when this draw must be rejected."""

    @abstractmethod
    def features(self, params: Params) -> dict[str, int]:
        """Difficulty feature counts of the parameters (keys of :attr:`default_weights`)."""

    @abstractmethod
    def answer(self, params: Params) -> str:
        """The key, computed from the parameters."""

    @abstractmethod
    def template_values(self, params: Params) -> dict[str, Any]:
        """Values of :attr:`template_fields` for the stem templates."""

    def propose_distractors(self, strategy: str, params: Params, rng: random.Random) -> list[str]:
        """Wrong answers the named strategy proposes, best first (may be empty)."""
        return []

    def fallback_distractors(self, params: Params, rng: random.Random) -> Iterable[str]:
        """Further wrong answers used when the strategies run short; must not run dry."""
        return ()

    def starter_code(self, params: Params) -> str | None:
        """Starter code of a code item whose blueprint gives none (``None``: an empty editor)."""
        return None

    def check_skill(self, rules: Any, skill: SkillBlueprint) -> None:
        """Rules beyond the shared ones that a skill of this generator must meet.

        Raises:
            assay.items.errors.BlueprintError: naming the field, e.g.
                ``presentation.starter_code``.
        """
        return None


_REGISTRY: dict[str, Generator] = {}


def register_generator(generator: Generator, *, replace: bool = False) -> Generator:
    """Register ``generator`` under its ``operation``.

    Raises:
        ValueError: another generator is registered under the same operation and ``replace``
            is false.
    """
    if generator.operation in _REGISTRY and not replace:
        raise ValueError(f"operation: a generator for {generator.operation!r} is registered")
    _REGISTRY[generator.operation] = generator
    return generator


def get_generator(operation: str) -> Generator:
    """The generator registered for ``operation``.

    Raises:
        KeyError: none is registered (the message lists the known operations).
    """
    try:
        return _REGISTRY[operation]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown generator {operation!r} (known: {known})") from None


def generators() -> dict[str, Generator]:
    """A copy of the registry: operation -> generator."""
    return dict(_REGISTRY)
