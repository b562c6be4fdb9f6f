"""Band targeting: choose a scenario whose difficulty is in the band, then sample it.

A *scenario* is a generator's feature vector (e.g. ``carries=1, large_numbers=1``); every
parameter set of one scenario has the same computed difficulty. A skill's scenario profile is
estimated once per blueprint object from :data:`PROFILE_SAMPLES` draws of a
``random.Random("profile:<skill_id>")`` (so it is the same in every process); scenarios seen in
less than :data:`MIN_SCENARIO_SHARE` of the draws are left out, so every kept scenario is cheap
to hit by rejection sampling.

``generate_item(band=...)`` picks uniformly among the kept scenarios in the band (a double
carry is as likely as a no-carry item of the same band, however rare it is among random
operands), then draws parameters until they fall in that scenario, at most
:data:`MAX_ATTEMPTS` draws (expected ``1 / share`` <= 200), then raises
:class:`~assay.items.errors.GenerationError`.
"""

from __future__ import annotations

import random
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from assay.items.blueprints import SkillBlueprint
from assay.items.difficulty import BAND_NAMES, Band, in_band, weighted_difficulty
from assay.items.errors import GenerationError
from assay.items.generator import Generator, Params, get_generator

__all__ = [
    "MAX_ATTEMPTS",
    "MIN_SCENARIO_SHARE",
    "PROFILE_SAMPLES",
    "CompiledSkill",
    "Scenario",
    "compile_skill",
]

#: Draws used to estimate a skill's scenario profile.
PROFILE_SAMPLES = 1000
#: Scenarios rarer than this share of random draws are not targeted.
MIN_SCENARIO_SHARE = 0.005
#: Upper bound on parameter draws for one item.
MAX_ATTEMPTS = 20_000

FeatureKey = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Scenario:
    """A feature vector, its computed difficulty and its share of random draws."""

    features: FeatureKey
    difficulty: float
    share: float

    def as_dict(self) -> dict[str, int]:
        """The features as a mapping."""
        return dict(self.features)


@dataclass(frozen=True)
class CompiledSkill:
    """A skill blueprint with its generator, parsed rules, weights and scenario profile."""

    skill: SkillBlueprint
    generator: Generator
    rules: Any
    weights: dict[str, float]
    base: float
    scenarios: tuple[Scenario, ...]

    def difficulty(self, features: dict[str, int]) -> float:
        """Computed difficulty of a feature vector (:func:`weighted_difficulty`)."""
        return weighted_difficulty(features, self.weights, base=self.base)

    def bands(self) -> list[Band]:
        """Bands some kept scenario falls in, easy first."""
        return [b for b in BAND_NAMES if any(in_band(s.difficulty, b) for s in self.scenarios)]

    def choose_scenario(
        self, rng: random.Random, *, band: Band | None, target_difficulty: float | None
    ) -> Scenario | None:
        """A scenario in ``band`` or nearest ``target_difficulty``, uniformly; ``None`` if neither.

        Raises:
            GenerationError: no kept scenario lies in ``band``.
        """
        pool = list(self.scenarios)
        if band is not None:
            pool = [s for s in pool if in_band(s.difficulty, band)]
            if not pool:
                lo = min(s.difficulty for s in self.scenarios)
                hi = max(s.difficulty for s in self.scenarios)
                raise GenerationError(
                    f"skill {self.skill.skill_id} cannot produce a {band!r} item: its scenarios "
                    f"span difficulty {lo}-{hi}; bands it can produce: {self.bands()}",
                    skill_id=self.skill.skill_id,
                    band=band,
                )
        if target_difficulty is not None:
            gap = min(abs(s.difficulty - target_difficulty) for s in pool)
            pool = [s for s in pool if abs(s.difficulty - target_difficulty) <= gap + 1e-9]
        elif band is None:
            return None
        return pool[rng.randrange(len(pool))]

    def sample(
        self, rng: random.Random, scenario: Scenario | None
    ) -> tuple[Params, dict[str, int]]:
        """Draw parameters (in ``scenario`` if given) and their features.

        Raises:
            GenerationError: no fitting draw within :data:`MAX_ATTEMPTS`.
        """
        for _ in range(MAX_ATTEMPTS):
            params = self.generator.sample(self.rules, rng)
            if params is None:
                continue
            features = self.generator.features(params)
            if scenario is None or _key(features) == scenario.features:
                return params, features
        wanted = "any parameters" if scenario is None else f"scenario {scenario.as_dict()}"
        raise GenerationError(
            f"skill {self.skill.skill_id}: no draw fit {wanted} in {MAX_ATTEMPTS} attempts",
            skill_id=self.skill.skill_id,
        )


def _key(features: dict[str, int]) -> FeatureKey:
    return tuple(sorted(features.items()))


_CACHE: OrderedDict[int, CompiledSkill] = OrderedDict()
_CACHE_SIZE = 512
_PROFILES: OrderedDict[tuple[str, str], Counter[FeatureKey]] = OrderedDict()


def _profile(skill_id: str, generator: Generator, rules: Any) -> Counter[FeatureKey]:
    """Feature-vector counts of :data:`PROFILE_SAMPLES` draws, cached by skill id and rules."""
    key = (skill_id, rules.model_dump_json())
    counts = _PROFILES.get(key)
    if counts is None:
        rng = random.Random(f"profile:{skill_id}")
        counts = Counter()
        for _ in range(PROFILE_SAMPLES):
            params = generator.sample(rules, rng)
            if params is not None:
                counts[_key(generator.features(params))] += 1
        _PROFILES[key] = counts
        if len(_PROFILES) > _CACHE_SIZE:
            _PROFILES.popitem(last=False)
    return counts


def compile_skill(skill: SkillBlueprint) -> CompiledSkill:
    """The compiled form of ``skill``, cached per blueprint object (LRU of 512).

    Raises:
        GenerationError: the rules admit no parameters at all.
    """
    cached = _CACHE.get(id(skill))
    if cached is not None and cached.skill is skill:
        _CACHE.move_to_end(id(skill))
        return cached
    generator = get_generator(skill.operation)
    rules = generator.parse_rules(skill.generation_rules)
    factors = skill.difficulty_factors
    weights = {
        name: factors[name].weight if name in factors else default
        for name, default in generator.default_weights.items()
    }
    base = factors["base"].weight if "base" in factors else generator.default_base(rules)
    compiled = CompiledSkill(skill, generator, rules, weights, base, ())
    counts = _profile(skill.skill_id, generator, rules)
    scenarios = tuple(
        Scenario(key, compiled.difficulty(dict(key)), n / PROFILE_SAMPLES)
        for key, n in sorted(counts.items())
        if n / PROFILE_SAMPLES >= MIN_SCENARIO_SHARE
    )
    if not scenarios:
        raise GenerationError(
            f"skill {skill.skill_id}: its generation_rules admit no parameters",
            skill_id=skill.skill_id,
        )
    compiled = CompiledSkill(skill, generator, rules, weights, base, scenarios)
    _CACHE[id(skill)] = compiled
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled
