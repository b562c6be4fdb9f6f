"""Python function-implementation items: the task model and its generator (seed 002 §13.5).

An item asks for one function (``PYTHON_STRING_LENGTH``: ``count_chars``); its key is a
reference solution, and its generated test cases (``{"input", "expected"}``, expected values
computed by the task's specification, written independently of the reference) are graded by
running the submission in the sandbox with partial credit = share of tests passed
(:func:`assay.grading.score_response`). The test cases and the function name are key material:
they live in ``generation_params``, never in the item's presentation; the stem shows one extra
example that is not among the tests.

A task's difficulty features are the edge cases its tests exercise, read off the test inputs:
one basic case always, then one case per feature switched on with probability 1/2, then basic
cases up to ``test_cases_count`` (so it is a minimum). The shipped tasks are in
:mod:`assay.items.python_exercises`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.items.errors import BlueprintError
from assay.items.generator import Generator, Params
from assay.items.instance import AnswerKind

__all__ = ["Feature", "PythonFunctionGenerator", "PythonFunctionRules", "PythonTask"]


class PythonFunctionRules(BaseModel):
    """``generation_rules`` of a Python function task (seed 002 §13.5).

    Attributes:
        operation: The task (module docstring).
        language: Always ``"python"``.
        task_type: Always ``"function_implementation"``.
        input_type: The argument's type, for people (``"string"``).
        output_type: The result's type, for people (``"integer"``).
        test_cases_count: Minimum number of generated test cases (1-20).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: str
    language: Literal["python"] = "python"
    task_type: Literal["function_implementation"] = "function_implementation"
    input_type: str | None = None
    output_type: str | None = None
    test_cases_count: int = Field(default=3, ge=1, le=20)


@dataclass(frozen=True)
class Feature:
    """One edge case of a task: its difficulty weight, how to make it, how to recognise it.

    Attributes:
        weight: Default weight in the difficulty formula.
        make: An argument exercising the edge case.
        detect: Whether an argument exercises it (features are read off the tests with it).
    """

    weight: float
    make: Callable[[random.Random], Any]
    detect: Callable[[Any], bool]


@dataclass(frozen=True)
class PythonTask:
    """A function to implement, specified independently of its reference solution.

    Attributes:
        signature: ``"count_chars(s: str) -> int"``; the function name comes first.
        reference: Source of a reference solution (the item's key).
        expected: The specification: argument -> expected result (JSON data).
        basic: An argument exercising no feature.
        features: Feature name -> :class:`Feature`.
        base: Default base difficulty.
    """

    signature: str
    reference: str
    expected: Callable[[Any], Any]
    basic: Callable[[random.Random], Any]
    features: Mapping[str, Feature]
    base: float = 0.3

    @property
    def function_name(self) -> str:
        """``"count_chars"``."""
        return self.signature.split("(", 1)[0]

    @property
    def operation(self) -> str:
        """The generator key: ``"python_" + function_name``."""
        return f"python_{self.function_name}"

    def case(self, value: Any) -> dict[str, Any]:
        """A test case ``{"input": value, "expected": expected(value)}``."""
        return {"input": value, "expected": self.expected(value)}


class PythonFunctionGenerator(Generator):
    """The generator of one :class:`PythonTask` (a subclass sets ``task``).

    ``sample`` draws one basic case, then one case per feature with probability 1/2, then
    basic cases up to ``test_cases_count``, and one more basic case as the stem's example;
    a draw with a repeated case is rejected. ``features`` reads the edge cases off the tests.
    """

    rules_model: ClassVar[type[BaseModel]] = PythonFunctionRules
    template_fields: ClassVar[frozenset[str]] = frozenset({"function_name", "signature", "example"})
    answer_kind: ClassVar[AnswerKind] = "code"
    item_types: ClassVar[frozenset[str]] = frozenset({"code"})
    evaluation_methods: ClassVar[frozenset[str]] = frozenset({"test_execution"})
    task: ClassVar[PythonTask]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.operation = cls.task.operation
        cls.default_weights = {name: f.weight for name, f in cls.task.features.items()}

    def default_base(self, rules: Any) -> float:
        return self.task.base

    def sample(self, rules: Any, rng: random.Random) -> Params | None:
        task = self.task
        inputs = [task.basic(rng)]
        inputs += [f.make(rng) for f in task.features.values() if rng.random() < 0.5]
        while len(inputs) < rules.test_cases_count:
            inputs.append(task.basic(rng))
        example = task.basic(rng)
        if len({repr(v) for v in [*inputs, example]}) != len(inputs) + 1:
            return None  # a repeated case: draw again
        return {
            "operation": self.operation,
            "function_name": task.function_name,
            "tests": [task.case(v) for v in inputs],
            "example": task.case(example),
        }

    def features(self, params: Params) -> dict[str, int]:
        inputs = [case["input"] for case in params["tests"]]
        return {
            name: int(any(f.detect(v) for v in inputs)) for name, f in self.task.features.items()
        }

    def answer(self, params: Params) -> str:
        return self.task.reference

    def template_values(self, params: Params) -> dict[str, Any]:
        name, example = self.task.function_name, params["example"]
        call = f"{name}({example['input']!r}) returns {example['expected']!r}"
        return {"function_name": name, "signature": self.task.signature, "example": call}

    def starter_code(self, params: Params) -> str:
        """The signature and a body that fails every test (``pass`` would return ``None``,
        which some tasks expect)."""
        return f"def {self.task.signature}:\n    # Your code here\n    raise NotImplementedError\n"

    def check_skill(self, rules: Any, skill: Any) -> None:
        name = self.task.function_name
        starter = skill.presentation.starter_code
        if starter is not None and f"def {name}(" not in starter:
            rule = f"must define {name}(), the function the tests call"
            raise BlueprintError("presentation.starter_code", rule)
        for i, example in enumerate(skill.example_tests):
            if set(example) != {"input", "expected"}:
                raise BlueprintError(f"example_tests[{i}]", "needs exactly input and expected")
            want = self.task.expected(example["input"])
            if example["expected"] != want:
                rule = f"{name}({example['input']!r}) returns {want!r}"
                raise BlueprintError(f"example_tests[{i}].expected", rule)
