"""The grading harness: runs every test case against one submitted function in one process.

It is a script (standard library only) that the grader runs in the sandbox as the program,
with the submission beside it as ``submission.py``. One process for all cases keeps grading
to a single interpreter start-up.

Protocol. The harness reads one JSON document from stdin, before any submitted code runs::

    {"nonce": "<hex>", "function": "count_chars", "case_timeout_s": 5.0,
     "cases": [{"args": ["hello"], "kwargs": {}}, ...]}

and writes one line per event to its stdout, each ``"<nonce> <json>"``::

    {"event": "import_error", "error": "SyntaxError: ..."}      the submission did not load
    {"event": "case", "index": 0, "status": "returned", "value": 5, "repr": "5",
     "duration_ms": 0.01}                                        status is one of STATUSES
    {"event": "done"}                                            every case was reported

Why the submission cannot gain by forging this:

- *Expected values never enter the sandbox.* The harness reports what the function returned;
  the host compares. A forged record can only claim a return value, which is what answering
  is; the submission cannot learn the answers from the harness because it does not have them.
- *The channel is not the submission's stdout.* Before the submission is imported the harness
  keeps a private duplicate of fd 1 for its records and points fd 1 at stderr, so ``print``
  in the submission lands in stderr and cannot interleave with the records.
- *Records carry a per-run nonce* from stdin (which is then pointed at ``/dev/null``), so stray
  output that looks like a record is ignored.
- *The host checks the sequence*: each index once, in order, then ``done``; a submission that
  does reach the private fd and writes a record the harness writes again is caught as a
  protocol violation and scores 0.

Each case runs under an interval timer (``case_timeout_s``) that raises a ``BaseException``,
so an infinite loop in pure Python costs that case only; the sandbox's wall and CPU limits
stop what the timer cannot interrupt. Arguments are decoded afresh from JSON for every call,
so a function that mutates its inputs cannot change later cases.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, TextIO

SUBMISSION_FILE = "submission.py"
EVENT_CASE = "case"
EVENT_DONE = "done"
EVENT_IMPORT_ERROR = "import_error"
STATUS_RETURNED = "returned"
STATUS_UNSERIALIZABLE = "unserializable"
STATUS_TOO_LARGE = "too_large"
STATUS_RAISED = "raised"
STATUS_TIMEOUT = "timeout"
STATUSES = (STATUS_RETURNED, STATUS_UNSERIALIZABLE, STATUS_TOO_LARGE, STATUS_RAISED, STATUS_TIMEOUT)
MAX_VALUE_CHARS = 100_000
MAX_TEXT_CHARS = 300


class CaseTimeout(BaseException):
    """Raised into the submission when a case's time is up (not an ``Exception``)."""


def _on_alarm(signum: int, frame: object) -> None:
    raise CaseTimeout


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 3] + "..."


def _describe(exc: BaseException) -> str:
    return _short("".join(traceback.format_exception_only(type(exc), exc)).strip())


def _safe_repr(value: object) -> str:
    try:
        return _short(repr(value))
    except Exception:
        return "<unrepresentable>"


def _guarded(call: Callable[[], Any], timeout_s: float) -> tuple[str, Any]:
    """``("ok", result)``, ``("timeout", None)`` or ``("raised", exception)``."""
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
        try:
            return "ok", call()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except CaseTimeout:
        return STATUS_TIMEOUT, None
    except BaseException as exc:
        return STATUS_RAISED, exc


def _encode(value: object) -> dict[str, Any]:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return {"status": STATUS_UNSERIALIZABLE, "repr": _safe_repr(value)}
    if len(text) > MAX_VALUE_CHARS:
        return {"status": STATUS_TOO_LARGE, "repr": _safe_repr(value)}
    return {"status": STATUS_RETURNED, "value": json.loads(text), "repr": _safe_repr(value)}


def _load(path: str, function_name: str) -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location("submission", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise LookupError(f"the submission defines no function {function_name}()")
    return function  # type: ignore[no-any-return]


def _run_case(function: Callable[..., Any], case_json: str, timeout_s: float) -> dict[str, Any]:
    case = json.loads(case_json)
    started = time.perf_counter()
    args, kwargs = case["args"], case["kwargs"]
    outcome, result = _guarded(lambda: _encode(function(*args, **kwargs)), timeout_s)
    duration_ms = (time.perf_counter() - started) * 1000.0
    if outcome == "ok":
        record: dict[str, Any] = result
    elif outcome == STATUS_RAISED:
        record = {"status": STATUS_RAISED, "error": _describe(result)}
    else:
        record = {"status": STATUS_TIMEOUT}
    return {**record, "duration_ms": round(duration_ms, 3)}


def _private_stdout() -> TextIO:
    """A private copy of fd 1 for records; fd 1 itself then points at stderr."""
    sys.stdout.flush()
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return channel


def main() -> None:
    """Read the request, load the submission, report every case, exit."""
    request = json.loads(sys.stdin.buffer.read())
    nonce, timeout_s = str(request["nonce"]), float(request["case_timeout_s"])
    cases = [json.dumps(case) for case in request["cases"]]
    channel = _private_stdout()

    def emit(record: dict[str, Any]) -> None:
        channel.write(f"{nonce} {json.dumps(record)}\n")
        channel.flush()

    signal.signal(signal.SIGALRM, _on_alarm)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), SUBMISSION_FILE)
    outcome, loaded = _guarded(lambda: _load(path, str(request["function"])), timeout_s)
    if outcome == "ok":
        for index, case_json in enumerate(cases):
            emit({"event": EVENT_CASE, "index": index, **_run_case(loaded, case_json, timeout_s)})
        emit({"event": EVENT_DONE})
    elif outcome == STATUS_TIMEOUT:
        emit({"event": EVENT_IMPORT_ERROR, "error": f"loading took longer than {timeout_s:g} s"})
    else:
        emit({"event": EVENT_IMPORT_ERROR, "error": _describe(loaded)})
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)  # skip the submission's atexit handlers and finalizers


__all__ = [
    "EVENT_CASE",
    "EVENT_DONE",
    "EVENT_IMPORT_ERROR",
    "STATUSES",
    "STATUS_RAISED",
    "STATUS_RETURNED",
    "STATUS_TIMEOUT",
    "STATUS_TOO_LARGE",
    "STATUS_UNSERIALIZABLE",
    "SUBMISSION_FILE",
    "main",
]

if __name__ == "__main__":
    main()
