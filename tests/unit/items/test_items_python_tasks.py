"""Python function items: key material stays server-side, tests agree with the reference,
each edge case catches the bug it is meant to, blueprint rules name the field."""

import json
import random
from typing import Any

import pytest
from pydantic import ValidationError

from assay.items import ItemInstance, SkillBlueprint, generate_item, load_catalog
from assay.items.generator import get_generator
from assay.items.python_exercises import (
    COUNT_CHARS,
    IS_PALINDROME,
    LARGEST,
    REVERSE_WORDS,
    WORD_COUNTS,
    WORDS,
)
from assay.items.python_tasks import PythonTask
from assay.items.targeting import compile_skill
from assay.sandbox import values_equal

CATALOG = load_catalog()
PY_SKILLS = sorted(s for s in CATALOG.skills if s.startswith("PROG.PYTHON."))
PY_SKILL_BANDS = [(s, b) for s in PY_SKILLS for b in CATALOG.skill_bands(s)]
TASKS = {
    t.function_name: t for t in (COUNT_CHARS, LARGEST, REVERSE_WORDS, IS_PALINDROME, WORD_COUNTS)
}


def load(source: str, name: str) -> Any:
    """The function ``name`` defined by ``source`` (trusted test code, run in-process)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name]


def passes(function: Any, case: dict[str, Any]) -> bool:
    try:
        return values_equal(function(json.loads(json.dumps(case["input"]))), case["expected"])
    except Exception:
        return False


def test_five_tasks_ship_one_skill_each() -> None:
    assert len(PY_SKILLS) == 5
    assert {CATALOG.skill(s).operation for s in PY_SKILLS} == {t.operation for t in TASKS.values()}
    assert all(w != w[::-1] for w in WORDS)  # basic non-palindromes really are not


@pytest.mark.parametrize(("skill_id", "band"), PY_SKILL_BANDS)
def test_items_keep_their_tests_server_side(skill_id: str, band: str) -> None:
    skill = CATALOG.skill(skill_id)
    for seed in range(25):
        item = generate_item(skill, band=band, rng=random.Random(seed))  # type: ignore[arg-type]
        params = item.generation_params
        assert (item.item_type, item.language, item.answer_kind) == ("code", "python", "code")
        assert item.widget_type == "code_editor" and item.tool_name == "present_code_editor"
        assert f"def {params['function_name']}(" in (item.starter_code or "")
        assert len(params["tests"]) >= skill.generation_rules["test_cases_count"]
        assert params["timeout_s"] == skill.evaluation.timeout_seconds
        assert params["partial_credit"] is True
        public = item.presentation()
        assert set(public) == {"item_type", "stem", "present_using", "starter_code", "language"}
        text = json.dumps(public)
        assert "tests" not in text and "expected" not in text
        assert item.correct_answer not in text  # the reference solution
        example = params["example"]
        assert example["input"] not in [case["input"] for case in params["tests"]]
        assert repr(example["input"]) in item.stem
        assert ItemInstance.model_validate_json(item.model_dump_json()) == item


@pytest.mark.parametrize("skill_id", PY_SKILLS)
def test_reference_passes_its_tests_and_features_are_read_off_them(skill_id: str) -> None:
    skill = CATALOG.skill(skill_id)
    generator = get_generator(skill.operation)
    for seed in range(60):
        item = generate_item(skill, rng=random.Random(seed))
        task = TASKS[item.generation_params["function_name"]]
        reference = load(item.correct_answer, task.function_name)
        for case in item.generation_params["tests"]:
            assert values_equal(case["expected"], task.expected(case["input"]))
            assert passes(reference, case), (item.correct_answer, case)
        features = generator.features(item.generation_params)
        assert item.generation_params["scenario"] == features
        assert item.difficulty == compile_skill(skill).difficulty(features)


@pytest.mark.parametrize(
    ("task", "inputs", "difficulty"),
    [
        # seed §13.5: basic 0.3, with_spaces 0.5, unicode 0.7, empty_edge 0.4
        (COUNT_CHARS, ["hello"], 0.3),
        (COUNT_CHARS, ["hello", "hello world"], 0.5),
        (COUNT_CHARS, ["hello", "hello world", "naïve café"], 0.7),
        (COUNT_CHARS, ["hello", ""], 0.4),
        (LARGEST, [[3, 9, 2]], 0.3),
        (LARGEST, [[3, 9, 2], [-3, -1, -7]], 0.45),
        (LARGEST, [[3, 9, 2], [9, 3], []], 0.55),
        (LARGEST, [[-1, -5], []], 0.7),  # all negative with the largest first, and empty
        (REVERSE_WORDS, ["a b", "  a  b "], 0.55),
        (REVERSE_WORDS, ["a b", "   "], 0.45),
        (IS_PALINDROME, ["level", "Level"], 0.5),
        (IS_PALINDROME, ["level", "Was it a cat I saw?", ""], 0.75),
        (WORD_COUNTS, ["a b a", "A b, a!"], 0.75),
    ],
)
def test_difficulty_of_test_sets(task: PythonTask, inputs: list[Any], difficulty: float) -> None:
    skill = next(
        CATALOG.skill(s) for s in PY_SKILLS if CATALOG.skill(s).operation == task.operation
    )
    tests = [task.case(v) for v in inputs]
    features = get_generator(task.operation).features({"tests": tests})
    assert compile_skill(skill).difficulty(features) == difficulty


BUGGY = {
    "spaces": "def count_chars(s):\n    return len(s.replace(' ', ''))\n",
    "unicode": "def count_chars(s):\n    return len(s.encode('utf-8'))\n",
    "all_negative": (
        "def largest(numbers):\n"
        "    if not numbers:\n"
        "        return None\n"
        "    best = 0\n"
        "    for n in numbers:\n"
        "        best = n if n > best else best\n"
        "    return best\n"
    ),
    "empty_edge": "def largest(numbers):\n    return max(numbers)\n",
    "max_first": (
        "def largest(numbers):\n"
        "    best = None\n"
        "    for i in range(1, len(numbers)):\n"
        "        if best is None or numbers[i] > best:\n"
        "            best = numbers[i]\n"
        "    return best\n"
    ),
    "extra_spaces": "def reverse_words(s):\n    return ' '.join(reversed(s.split(' ')))\n",
    "punctuation": (
        "import re\ndef reverse_words(s):\n    return ' '.join(reversed(re.findall(r'\\w+', s)))\n"
    ),
    "mixed_case": (
        "def is_palindrome(text):\n"
        "    kept = [c for c in text if c.isalnum()]\n"
        "    return kept == kept[::-1]\n"
    ),
    "palindrome_punctuation": (
        "def is_palindrome(text):\n    return text.lower() == text.lower()[::-1]\n"
    ),
    "word_case": (
        "def word_counts(text):\n"
        "    counts = {}\n"
        "    for w in text.split():\n"
        "        w = w.strip(',.!?;:')\n"
        "        counts[w] = counts.get(w, 0) + 1\n"
        "    return counts\n"
    ),
    "word_punctuation": (
        "def word_counts(text):\n"
        "    counts = {}\n"
        "    for w in text.lower().split():\n"
        "        counts[w] = counts.get(w, 0) + 1\n"
        "    return counts\n"
    ),
}


@pytest.mark.parametrize(
    ("task", "feature", "bug"),
    [
        (COUNT_CHARS, "spaces", "spaces"),
        (COUNT_CHARS, "unicode", "unicode"),
        (LARGEST, "all_negative", "all_negative"),
        (LARGEST, "empty_edge", "empty_edge"),
        (LARGEST, "max_first", "max_first"),
        (REVERSE_WORDS, "extra_spaces", "extra_spaces"),
        (REVERSE_WORDS, "punctuation", "punctuation"),
        (IS_PALINDROME, "mixed_case", "mixed_case"),
        (IS_PALINDROME, "punctuation", "palindrome_punctuation"),
        (WORD_COUNTS, "mixed_case", "word_case"),
        (WORD_COUNTS, "punctuation", "word_punctuation"),
    ],
)
def test_each_edge_case_catches_the_bug_basic_cases_miss(
    task: PythonTask, feature: str, bug: str
) -> None:
    buggy = load(BUGGY[bug], task.function_name)
    for seed in range(30):
        rng = random.Random(seed)
        edge = task.features[feature].make(rng)
        assert task.features[feature].detect(edge)
        assert not passes(buggy, task.case(edge)), (BUGGY[bug], edge)
        assert passes(buggy, task.case(task.basic(rng)))


def code_skill(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "skill_id": "USER.PY",
        "generation_rules": {"operation": "python_count_chars", "test_cases_count": 3},
        "presentation": {"item_type": "code_editor", "stem_templates": ["Write {signature}."]},
        "evaluation": {"method": "test_execution", "partial_credit": True},
    }
    data.update(changes)
    return data


def test_seed_blueprint_reads_as_a_code_skill() -> None:
    skill = CATALOG.skill("PROG.PYTHON.STRING.LENGTH")
    assert skill.presentation.item_type == "code"  # the seed's "code_editor"
    assert skill.example_tests == [
        {"input": "hello", "expected": 5},
        {"input": "hello world", "expected": 11},
        {"input": "", "expected": 0},
    ]
    item = generate_item(SkillBlueprint.model_validate(code_skill()), rng=random.Random(1))
    assert "raise NotImplementedError" in (item.starter_code or "")  # default starter fails


@pytest.mark.parametrize(
    ("changes", "path", "rule"),
    [
        (
            {
                "presentation": {
                    "item_type": "code",
                    "starter_code": "def length(s):\n    pass\n",
                    "stem_templates": ["x"],
                }
            },
            "presentation.starter_code",
            "must define count_chars()",
        ),
        (
            {"example_tests": [{"input": "hello", "expected": 4}]},
            "example_tests[0].expected",
            "count_chars('hello') returns 5",
        ),
        (
            {"example_tests": [{"input": "a", "output": 1}]},
            "example_tests[0]",
            "needs exactly input and expected",
        ),
        (
            {"evaluation": {"method": "exact_match"}},
            "evaluation.method",
            "supported: test_execution",
        ),
        (
            {"presentation": {"item_type": "free_text", "stem_templates": ["x"]}},
            "presentation.item_type",
            "not supported by 'python_count_chars'",
        ),
        (
            {"generation_rules": {"operation": "python_count_chars", "test_cases_count": 0}},
            "generation_rules.test_cases_count",
            "greater than or equal to 1",
        ),
        (
            {"presentation": {"item_type": "code", "stem_templates": ["{n}"]}},
            "presentation.stem_templates[0]",
            "unknown field {n}",
        ),
    ],
)
def test_bad_code_blueprints_name_the_field(changes: dict[str, Any], path: str, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SkillBlueprint.model_validate(code_skill(**changes))
    error = caught.value.errors()[0]["ctx"]["error"]
    assert (error.path, rule in error.rule) == (path, True), error


@pytest.mark.parametrize(
    ("presentation", "evaluation", "path"),
    [
        ({"starter_code": "x = 1", "stem_templates": ["{op1}"]}, {}, "presentation.starter_code"),
        ({"language": "python", "stem_templates": ["{op1}"]}, {}, "presentation.language"),
        ({"stem_templates": ["{op1}"]}, {"partial_credit": True}, "evaluation.partial_credit"),
        ({"stem_templates": ["{op1}"]}, {"method": "test_execution"}, "evaluation.method"),
    ],
)
def test_code_only_fields_are_refused_elsewhere(
    presentation: dict[str, Any], evaluation: dict[str, Any], path: str
) -> None:
    data = {
        "skill_id": "USER.ADD",
        "generation_rules": {"operation": "addition", "operand_range": {"min": 1, "max": 9}},
        "presentation": presentation,
        "evaluation": evaluation,
    }
    with pytest.raises(ValidationError) as caught:
        SkillBlueprint.model_validate(data)
    error = caught.value.errors()[0]
    cause = error["ctx"]["error"]
    assert ".".join(str(p) for p in (*error["loc"], cause.path) if p) == path
