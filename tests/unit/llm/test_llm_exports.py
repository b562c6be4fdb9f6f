"""The declared public surface of ``assay.llm``: every name in ``__all__`` exists."""

from __future__ import annotations

import importlib

import pytest

import assay.llm

MODULES = [
    "assay.llm",
    "assay.llm.backoff",
    "assay.llm.errors",
    "assay.llm.fake_server",
    "assay.llm.local",
    "assay.llm.messages",
    "assay.llm.openai_compat",
    "assay.llm.port",
    "assay.llm.scripted",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, f"{name} declares no public names"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == []
    assert len(set(module.__all__)) == len(module.__all__)


def test_adapters_satisfy_the_port() -> None:
    adapter = assay.llm.OpenAICompatibleModel(base_url="http://127.0.0.1:9/v1", model="m")
    assert isinstance(adapter, assay.llm.ChatModel)
    assert isinstance(assay.llm.ScriptedModel(["x"]), assay.llm.ChatModel)


def test_error_tree() -> None:
    from assay.llm import errors

    assert issubclass(errors.LLMConnectionError, errors.LLMServerError)
    for error in (
        errors.LLMTimeoutError,
        errors.LLMRateLimitError,
        errors.LLMServerError,
        errors.LLMRequestError,
    ):
        assert issubclass(error, errors.LLMError)
    plain = errors.LLMRequestError("bad")  # the one-argument form still works
    assert (str(plain), plain.status_code, plain.attempts) == ("bad", None, 1)
