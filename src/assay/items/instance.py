"""A served item instance: its presentation (public) and its key (server-side only).

An :class:`ItemInstance` is what ``get_next_item`` serves. Only :meth:`ItemInstance.presentation`
ever leaves the backend before a session completes; the key fields (``correct_index``,
``correct_answer``) and the generation parameters stay in the database (seed 002 §13.4).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ItemType = Literal["multiple_choice", "free_text", "code"]
AnswerKind = Literal["integer", "text", "ipv4", "prefix", "code"]

#: Client tool and widget used to present each item type (seed 002 §6.1).
PRESENTATION: dict[str, tuple[str, str]] = {
    "multiple_choice": ("present_choices", "multiple_choice"),
    "free_text": ("request_free_text", "free_text"),
    "code": ("present_code_editor", "code_editor"),
}


class ResponseError(ValueError):
    """A response payload does not fit the item's widget.

    Attributes:
        field: Dotted path of the offending field, e.g. ``"response.index"``.
        rule: The rule it broke, e.g. ``"must be an integer between 0 and 3"``.
    """

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class Score(BaseModel):
    """The backend's verdict on one response: ``correct`` and a score in [0, 1]."""

    model_config = ConfigDict(frozen=True)

    correct: bool
    score: float


class ItemInstance(BaseModel):
    """One concrete item, generated from a skill blueprint or given inline (seed 002 D4).

    Attributes:
        item_id: Unique id, e.g. ``"gen_7f3a..."`` or ``"inline_3"``.
        skill_id: Skill blueprint id (``"MATH.ARITH.ADD.2DIGIT"``), or ``"inline"``.
        section_id: Section of the assessment blueprint the item fills, if any.
        item_type: ``multiple_choice``, ``free_text`` or ``code``.
        stem: The question text, presented verbatim.
        options: Options of a multiple-choice item (distinct, the key exactly once).
        correct_index: 0-based index of the key in ``options`` (multiple choice only).
        correct_answer: The key as text (``"85"``); for code items, the reference solution.
        answer_kind: How a free-text answer is normalised before comparison.
        difficulty: Computed difficulty in [0, 1] (seed 002 §13.6 "IRT-lite").
        difficulty_band: ``easy``, ``medium`` or ``hard`` when generated for a band.
        generation_params: The parameters the item was generated from (operands, carries...).
        shuffle_seed: Seed of the RNG that shuffled the options (recorded for replay).
        starter_code: Starter code shown in the code editor.
        language: Language of a code item.
    """

    model_config = ConfigDict(frozen=True)

    item_id: str
    skill_id: str
    section_id: str | None = None
    item_type: ItemType = "multiple_choice"
    stem: str
    options: list[str] | None = None
    correct_index: int | None = None
    correct_answer: str
    answer_kind: AnswerKind = "text"
    difficulty: float = Field(default=0.5, ge=0.0, le=1.0)
    difficulty_band: str | None = None
    generation_params: dict[str, Any] = Field(default_factory=dict)
    shuffle_seed: int | None = None
    starter_code: str | None = None
    language: str | None = None

    @model_validator(mode="after")
    def _check_key(self) -> ItemInstance:
        if self.item_type == "multiple_choice":
            if not self.options or len(self.options) < 2:
                raise ValueError("a multiple-choice item needs at least 2 options")
            if len(set(self.options)) != len(self.options):
                raise ValueError("options must be distinct")
            if self.correct_index is None or not 0 <= self.correct_index < len(self.options):
                raise ValueError("correct_index must point into options")
            if self.options[self.correct_index] != self.correct_answer:
                raise ValueError("options[correct_index] must equal correct_answer")
        return self

    @property
    def tool_name(self) -> str:
        """The client tool that presents this item."""
        return PRESENTATION[self.item_type][0]

    @property
    def widget_type(self) -> str:
        """The browser widget that renders this item."""
        return PRESENTATION[self.item_type][1]

    def presentation(self) -> dict[str, Any]:
        """The public part of the item: what a driver presents and a client renders.

        Returns:
            ``{"item_type", "stem", "present_using", "options"?, "starter_code"?,
            "language"?}``. Never the key, never the generation parameters.
        """
        out: dict[str, Any] = {
            "item_type": self.item_type,
            "stem": self.stem,
            "present_using": self.tool_name,
        }
        if self.options is not None:
            out["options"] = list(self.options)
        if self.starter_code is not None:
            out["starter_code"] = self.starter_code
        if self.language is not None:
            out["language"] = self.language
        return out

    def client_props(self) -> dict[str, Any]:
        """Canonical arguments of the client tool call presenting this item."""
        props: dict[str, Any] = {"prompt": self.stem}
        if self.item_type == "multiple_choice":
            props["options"] = list(self.options or [])
        if self.item_type == "code":
            props["language"] = self.language or "python"
            if self.starter_code is not None:
                props["starter_code"] = self.starter_code
        return props

    def validate_response(self, response: Any) -> dict[str, Any]:
        """Check a widget payload against this item and return it normalised.

        Args:
            response: ``{"index": i}`` (0-based) for multiple choice, ``{"text": str}`` for
                free text, ``{"code": str}`` for code.

        Raises:
            ResponseError: naming the field and the rule it broke.
        """
        if not isinstance(response, dict):
            raise ResponseError("response", "must be a JSON object")
        if self.item_type == "multiple_choice":
            n = len(self.options or [])
            index = response.get("index")
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
                raise ResponseError("response.index", f"must be an integer between 0 and {n - 1}")
            return {"index": index}
        key = "text" if self.item_type == "free_text" else "code"
        value = response.get(key)
        if not isinstance(value, str):
            raise ResponseError(f"response.{key}", "must be a string")
        if len(value) > 100_000:
            raise ResponseError(f"response.{key}", "must be at most 100000 characters")
        return {key: value}

    def score(self, response: dict[str, Any]) -> Score:
        """Score a response already checked by :meth:`validate_response`.

        Multiple choice: correct iff ``index == correct_index``. Free text: the normalised
        answer equals the normalised key (see :func:`normalize_answer`). Code: normalised
        source equals the reference (sandboxed test execution replaces this for generated
        programming items).
        """
        if self.item_type == "multiple_choice":
            ok = response["index"] == self.correct_index
        elif self.item_type == "free_text":
            ok = normalize_answer(response["text"], self.answer_kind) == normalize_answer(
                self.correct_answer, self.answer_kind
            )
        else:
            ok = normalize_answer(response["code"], "code") == normalize_answer(
                self.correct_answer, "code"
            )
        return Score(correct=ok, score=1.0 if ok else 0.0)

    def answer_text(self, response: dict[str, Any]) -> str:
        """The response as text (the chosen option for multiple choice)."""
        if "index" in response and self.options is not None:
            return self.options[int(response["index"])]
        return str(response.get("text", response.get("code", "")))


_WS = re.compile(r"\s+")


def normalize_answer(text: str, kind: AnswerKind) -> str:
    """Normalise an answer for comparison.

    ``integer``: surrounding space, a leading ``+``, thousands separators (``,`` and ``_``) and
    a trailing ``.0`` are dropped, so ``" +1,024 "`` -> ``"1024"``; text that is not an integer
    is compared as ``text``. ``text``: case-folded, inner whitespace collapsed. ``ipv4``:
    space removed, dotted quad with leading zeros dropped (``"010.0.0.1"`` -> ``"10.0.0.1"``).
    ``prefix`` (a CIDR prefix length): space and one leading ``/`` dropped, then written
    ``/n``, so ``"20"``, ``" /20 "`` and ``"/ 20"`` -> ``"/20"``.
    ``code``: trailing whitespace of each line and blank lines at the ends dropped.
    """
    if kind == "integer":
        t = text.strip().replace(",", "").replace("_", "")
        t = t.removeprefix("+")
        if t.endswith(".0"):
            t = t[:-2]
        try:
            return str(int(t))
        except ValueError:
            return _WS.sub(" ", text.strip()).casefold()
    if kind == "ipv4":
        parts = text.strip().replace(" ", "").split(".")
        try:
            return ".".join(str(int(p)) for p in parts)
        except ValueError:
            return text.strip()
    if kind == "prefix":
        t = text.strip().replace(" ", "").removeprefix("/")
        return f"/{int(t)}" if t.isascii() and t.isdigit() else text.strip()
    if kind == "code":
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip()
    return _WS.sub(" ", text.strip()).casefold()


__all__ = [
    "PRESENTATION",
    "AnswerKind",
    "ItemInstance",
    "ItemType",
    "ResponseError",
    "Score",
    "normalize_answer",
]
