"""No seed or spec references in what a user reads (issue 14 item 18).

Scanned: the shipped blueprints' titles and descriptions, every file of the web page, and every
string literal in ``src/assay`` that is not a docstring (messages, OpenAPI descriptions, help).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import yaml

import assay

SPEC_REFERENCE = re.compile(r"\bseed \d{3}\b|§|\bPhase \d[AB]?\b", re.IGNORECASE)
SRC = Path(assay.__file__).parent


def _user_texts(node: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description", "name", "prompt") and isinstance(value, str):
                yield f"{path}.{key}", value
            yield from _user_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _user_texts(value, f"{path}[{i}]")


def _yaml_texts() -> list[tuple[str, str]]:
    data = resources.files("assay.items") / "data"
    return [
        (f"{f.name}{where}", text)
        for f in data.iterdir()
        if f.name.endswith(".yaml")
        for where, text in _user_texts(yaml.safe_load(f.read_text(encoding="utf-8")))
    ]


def test_shipped_blueprint_titles_and_descriptions_cite_no_spec() -> None:
    texts = _yaml_texts()
    assert len(texts) > 20  # the scan reads the shipped files
    bad = [(where, text) for where, text in texts if SPEC_REFERENCE.search(text)]
    assert not bad


@pytest.mark.parametrize("name", sorted(p.name for p in (SRC / "web" / "static").iterdir()))
def test_web_page_files_cite_no_spec(name: str) -> None:
    text = (SRC / "web" / "static" / name).read_text(encoding="utf-8")
    assert not SPEC_REFERENCE.findall(text)


def _statements(body: object) -> list[ast.stmt]:
    return [s for s in body if isinstance(s, ast.stmt)] if isinstance(body, list) else []


def _docstring_ids(tree: ast.Module) -> set[int]:
    """Module, class and function docstrings, and attribute docstrings (a string statement)."""
    return {
        id(stmt.value)
        for node in ast.walk(tree)
        for field in ("body", "orelse", "finalbody")
        for stmt in _statements(getattr(node, field, None))
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    }


def test_string_literals_in_the_code_cite_no_spec() -> None:
    bad = []
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 50
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_ids(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and SPEC_REFERENCE.search(node.value)
            ):
                bad.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value[:80]!r}")
    assert not bad


@pytest.mark.parametrize(
    "text", ["(seed 002 §13.6)", "§14 Phase 1A", "see Seed 002", "Phase 1B success"]
)
def test_the_pattern_catches_spec_references(text: str) -> None:
    assert SPEC_REFERENCE.search(text)


@pytest.mark.parametrize("text", ["--seed 7", "seeded RNG", "phase of the moon", "a seed of 12"])
def test_the_pattern_spares_ordinary_words(text: str) -> None:
    assert not SPEC_REFERENCE.search(text)
