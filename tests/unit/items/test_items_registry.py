"""The generator registry: a plug-in generator uses the same door; bounded attempts."""

import random
from typing import Any, ClassVar, Literal

import pytest
from pydantic import BaseModel, ValidationError

from assay.items import (
    Catalog,
    GenerationError,
    SkillBlueprint,
    generate_item,
    get_generator,
    register_generator,
)
from assay.items.generator import Generator, Params
from assay.items.instance import AnswerKind


class SquareRules(BaseModel):
    operation: Literal["test_square"]
    max: int = 12


class SquareGenerator(Generator):
    """n² for n in [1, max]; feature ``big``: n > 6. Optionally stops producing after profiling."""

    operation: ClassVar[str] = "test_square"
    rules_model: ClassVar[type[BaseModel]] = SquareRules
    default_weights: ClassVar[dict[str, float]] = {"big": 0.5}
    template_fields: ClassVar[frozenset[str]] = frozenset({"n"})
    answer_kind: ClassVar[AnswerKind] = "integer"
    item_types: ClassVar[frozenset[str]] = frozenset({"free_text"})

    def __init__(self, *, starve_after: int | None = None) -> None:
        self.calls = 0
        self.starve_after = starve_after

    def default_base(self, rules: Any) -> float:
        return 0.1

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        self.calls += 1
        if self.starve_after is not None and self.calls > self.starve_after:
            return None
        return {"n": rng.randint(1, rules.max)}

    def features(self, params: Params) -> dict[str, int]:
        return {"big": int(params["n"] > 6)}

    def answer(self, params: Params) -> str:
        return str(params["n"] ** 2)

    def template_values(self, params: Params) -> dict[str, Any]:
        return {"n": params["n"]}


def square_skill(skill_id: str = "TEST.SQUARE", **rules: Any) -> SkillBlueprint:
    return SkillBlueprint.model_validate(
        {
            "skill_id": skill_id,
            "generation_rules": {"operation": "test_square", **rules},
            "presentation": {"item_type": "free_text", "stem_templates": ["What is {n} squared?"]},
        }
    )


@pytest.fixture(autouse=True)
def square_generator() -> SquareGenerator:
    return register_generator(SquareGenerator(), replace=True)  # type: ignore[return-value]


def test_a_plug_in_generator_serves_items_by_band() -> None:
    skill = square_skill()
    assert get_generator("test_square").operation == "test_square"
    assert Catalog.build([skill]).skill_bands("TEST.SQUARE") == ["easy", "medium"]
    for seed in range(30):
        easy = generate_item(skill, band="easy", rng=random.Random(seed))
        n = int(easy.stem.split()[2])
        assert n <= 6 and easy.correct_answer == str(n * n) and easy.difficulty == 0.1
        medium = generate_item(skill, band="medium", rng=random.Random(seed))
        assert int(medium.stem.split()[2]) > 6 and medium.difficulty == 0.6


def test_registering_twice_needs_replace() -> None:
    with pytest.raises(ValueError, match="'test_square' is registered"):
        register_generator(SquareGenerator())


def test_generator_rules_are_validated_on_the_skill() -> None:
    with pytest.raises(ValidationError) as caught:
        square_skill(max="many")
    cause = caught.value.errors()[0]["ctx"]["error"]
    assert cause.path == "generation_rules.max"


def test_item_type_must_be_supported() -> None:
    with pytest.raises(ValidationError, match=r"presentation\.item_type: not supported"):
        SkillBlueprint.model_validate(
            {
                "skill_id": "TEST.SQUARE.MC",
                "generation_rules": {"operation": "test_square"},
                "presentation": {"stem_templates": ["{n}"]},
            }
        )


def test_rules_admitting_no_parameters_fail_clearly() -> None:
    register_generator(SquareGenerator(starve_after=0), replace=True)
    with pytest.raises(GenerationError, match="admit no parameters"):
        generate_item(square_skill("TEST.SQUARE.NONE"), rng=random.Random(0))


def test_attempts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import assay.items.targeting as targeting

    monkeypatch.setattr(targeting, "MAX_ATTEMPTS", 50)
    generator = register_generator(
        SquareGenerator(starve_after=targeting.PROFILE_SAMPLES), replace=True
    )
    with pytest.raises(GenerationError, match="in 50 attempts") as caught:
        generate_item(square_skill("TEST.SQUARE.STARVED"), band="easy", rng=random.Random(0))
    assert caught.value.skill_id == "TEST.SQUARE.STARVED"
    assert generator.calls == targeting.PROFILE_SAMPLES + 50  # type: ignore[attr-defined]
