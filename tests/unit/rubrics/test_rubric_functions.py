"""The guarded FunctionRegistry: what a reference may name, and why it fails (reason)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from assay.rubrics import ENTRY_POINT_GROUP, FunctionRegistry, FunctionResolutionError
from assay.rubrics.functions import parse_function_ref


def not_a_function_holder(content: dict[str, Any]) -> str:
    return "pass"


NOT_CALLABLE = 42


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("a.b:c", ("a.b", "c")),
        ("a.b.c", ("a.b", "c")),
        ("a:c", ("a", "c")),
    ],
)
def test_both_spellings_parse(ref: str, parsed: tuple[str, str]) -> None:
    assert parse_function_ref(ref) == parsed


ALLOWED = ["tests.unit.rubrics", "no_such_pkg_z1"]
HERE = "tests.unit.rubrics.test_rubric_functions"


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("nodots", "bad_ref"),
        ("a/b:c", "bad_ref"),
        ("a.b:c.d", "bad_ref"),
        ("../x:y", "bad_ref"),
        ("subprocess:run", "not_allowed"),
        ("subprocess.check_output", "not_allowed"),
        ("os:system", "not_allowed"),
        ("builtins:eval", "not_allowed"),
        (f"{HERE}:_private", "not_allowed"),
        (f"{HERE}:pytest", "not_callable"),
        (f"{HERE}:FunctionRegistry", "not_allowed"),  # imported into an allowed module
        (f"{HERE}:NOT_CALLABLE", "not_callable"),
        (f"{HERE}:missing", "attribute_not_found"),
        ("no_such_pkg_z1.mod:f", "module_not_found"),
    ],
)
def test_reasons(ref: str, reason: str) -> None:
    with pytest.raises(FunctionResolutionError) as info:
        FunctionRegistry(allowed_modules=ALLOWED).get(ref)
    assert (info.value.reason, info.value.function_ref) == (reason, ref)


def test_allowed_module_resolves_in_both_spellings() -> None:
    reg = FunctionRegistry(allowed_modules=["tests.unit.rubrics"])
    assert reg.get(f"{HERE}:not_a_function_holder") is not_a_function_holder
    assert reg.get(f"{HERE}.not_a_function_holder") is not_a_function_holder


def test_builtins_resolve_without_import_and_registered_dotted_alias() -> None:
    reg = FunctionRegistry()
    assert reg.get("assay.rubrics.meta.check_criteria_coverage")({"criteria": [{}]}) == "pass"
    reg.register("myapp.scoring:f", not_a_function_holder)
    assert reg.get("myapp.scoring.f") is not_a_function_holder


def test_not_allowed_module_is_never_imported(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "sentinel_fr_z2.py").write_text("raise SystemExit('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(FunctionResolutionError) as info:
        FunctionRegistry().get("sentinel_fr_z2:f")
    assert info.value.reason == "not_allowed" and "sentinel_fr_z2" not in sys.modules


def test_importing_mode_imports_any_module() -> None:
    import os

    assert FunctionRegistry.importing().get("os:getcwd") is os.getcwd


def test_entry_points_resolve_by_value_and_name(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "epplug_z3.py").write_text("def check(content):\n    return 'pass'\n")
    dist = tmp_path / "epplug_z3-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: epplug-z3\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nz3_check = epplug_z3:check\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = FunctionRegistry(entry_point_group=ENTRY_POINT_GROUP)
    assert reg.get("epplug_z3:check")({}) == "pass"
    assert reg.get("epplug_z3.check")({}) == "pass"
    assert reg.get("z3_check")({}) == "pass"
    with pytest.raises(FunctionResolutionError) as info:
        FunctionRegistry().get("epplug_z3:check")  # without the group: not allowed
    assert info.value.reason == "not_allowed"
