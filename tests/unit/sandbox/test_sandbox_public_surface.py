"""The declared public surface of assay.sandbox, and the examples in its docstrings."""

from __future__ import annotations

import doctest
import importlib

import pytest

import assay.sandbox

PURE_MODULES = [
    "assay.sandbox.bwrap",
    "assay.sandbox.compare",
    "assay.sandbox.fake",
    "assay.sandbox.limits",
    "assay.sandbox.rlimits",
    "assay.sandbox.verdict",
]


def test_every_exported_name_exists_and_nothing_private_leaks() -> None:
    for name in assay.sandbox.__all__:
        assert hasattr(assay.sandbox, name), name
        assert not name.startswith("_")
    assert {"CodeRunner", "SandboxRunner", "FakeCodeRunner", "grade_python_function"} <= set(
        assay.sandbox.__all__
    )


@pytest.mark.parametrize("module_name", PURE_MODULES)
def test_docstring_examples_hold(module_name: str) -> None:
    module = importlib.import_module(module_name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0, f"{module_name} has no examples"
    assert failures == 0
