"""Validated session requests: ``POST /api/sessions`` bodies (seed 002 §11 D4)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assay.items.instance import ItemType


class InlineItem(BaseModel):
    """An item given inline in a session config (seed 002 D4, option A).

    ``{"stem": "What is 2+2?", "options": ["3", "4"], "correct": 1}`` is a multiple-choice
    item; ``{"stem": "...", "item_type": "free_text", "answer": "4"}`` a free-text one;
    ``{"stem": "...", "item_type": "code", "answer": "<reference>", "starter_code": "..."}``
    a code item (compared after normalising whitespace).
    """

    model_config = ConfigDict(extra="forbid")

    stem: str = Field(min_length=1, max_length=4000)
    item_type: ItemType | None = None
    options: list[str] | None = Field(default=None, min_length=2, max_length=6)
    correct: int | None = Field(default=None, description="0-based index of the key in options")
    answer: str | None = Field(default=None, max_length=100_000)
    section: str | None = Field(default=None, max_length=200)
    starter_code: str | None = None
    language: str | None = None

    @model_validator(mode="after")
    def _check(self) -> InlineItem:
        kind = self.item_type or ("multiple_choice" if self.options is not None else "free_text")
        if kind == "multiple_choice":
            if self.options is None:
                raise ValueError("options: required for a multiple_choice item")
            if len(set(self.options)) != len(self.options):
                raise ValueError("options: must be distinct")
            if self.correct is None or not 0 <= self.correct < len(self.options):
                raise ValueError(f"correct: must be an index between 0 and {len(self.options) - 1}")
        elif self.answer is None:
            raise ValueError(f"answer: required for a {kind} item")
        self.item_type = kind
        return self


class EvaluationConfig(BaseModel):
    """Config of an evaluation session: a blueprint id or inline items (exactly one).

    ``item_selection_algorithm`` (blueprint sessions only) overrides the blueprint's:
    ``fixed``, ``random_from_pool`` or ``adaptive``.
    """

    model_config = ConfigDict(extra="forbid")

    blueprint_id: str | None = Field(default=None, min_length=1, max_length=200)
    items: list[InlineItem] | None = Field(default=None, min_length=1, max_length=500)
    time_limit_minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    title: str | None = Field(default=None, max_length=300)
    driver: Literal["script", "llm"] | None = None
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    item_selection_algorithm: Literal["fixed", "random_from_pool", "adaptive"] | None = Field(
        default=None,
        description="Overrides the blueprint's item_selection_algorithm",
    )

    @model_validator(mode="after")
    def _one_source(self) -> EvaluationConfig:
        if (self.blueprint_id is None) == (self.items is None):
            raise ValueError("exactly one of blueprint_id or items must be given")
        if self.item_selection_algorithm is not None and self.blueprint_id is None:
            raise ValueError("item_selection_algorithm: applies to blueprint sessions only")
        return self


class CreateSessionRequest(BaseModel):
    """Body of ``POST /api/sessions``; ``session_type`` defaults to ``"evaluation"``."""

    model_config = ConfigDict(extra="forbid")

    session_type: Literal["evaluation"] = "evaluation"
    config: EvaluationConfig


class RespondRequest(BaseModel):
    """Body of ``POST /api/sessions/{id}/respond``."""

    model_config = ConfigDict(extra="forbid")

    tool_call_id: str = Field(min_length=1, max_length=200)
    response: dict[str, object]


__all__ = ["CreateSessionRequest", "EvaluationConfig", "InlineItem", "RespondRequest"]
