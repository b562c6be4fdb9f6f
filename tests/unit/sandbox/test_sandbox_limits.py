"""Limits validation, their rlimits, and counting a uid's tasks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from assay.sandbox import Limits
from assay.sandbox.limits import MIB
from assay.sandbox.rlimits import count_tasks_of, rlimits_for


def test_defaults() -> None:
    limits = Limits()
    assert (limits.wall_timeout_s, limits.cpu_time_s, limits.memory_mb) == (10.0, 5, 256)
    assert (limits.max_processes, limits.max_file_size_mb, limits.max_output_bytes) == (
        16,
        8,
        MIB,
    )


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("wall_timeout_s", 0, "greater than 0"),
        ("cpu_time_s", 0, "greater than or equal to 1"),
        ("memory_mb", 8, "greater than or equal to 32"),
        ("max_processes", 0, "greater than or equal to 1"),
        ("max_output_bytes", 0, "greater than or equal to 1"),
        ("max_open_files", 4, "greater than or equal to 16"),
        ("wall_timeout_s", 10_000, "less than or equal to 3600"),
    ],
)
def test_bad_limits_name_the_field_and_the_rule(field: str, value: int, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Limits(**{field: value})
    error = caught.value.errors()[0]
    assert error["loc"] == (field,)
    assert rule in error["msg"]


def test_unknown_limits_are_rejected() -> None:
    with pytest.raises(ValidationError, match="memory_bytes"):
        Limits(memory_bytes=5)  # type: ignore[call-arg]


def test_rlimits_for_converts_units() -> None:
    limits = Limits(
        cpu_time_s=2, memory_mb=64, max_processes=5, max_file_size_mb=3, max_open_files=32
    )
    assert rlimits_for(limits) == {
        "RLIMIT_CPU": [2, 3],
        "RLIMIT_AS": [64 * MIB, 64 * MIB],
        "RLIMIT_FSIZE": [3 * MIB, 3 * MIB],
        "RLIMIT_NOFILE": [32, 32],
        "RLIMIT_CORE": [0, 0],
        "RLIMIT_NPROC": [5, 5],
    }


@pytest.mark.parametrize(("counted", "nproc"), [(0, [5, 5]), (120, [125, 125]), (None, None)])
def test_rlimit_nproc_adds_the_tasks_already_counted(counted: int | None, nproc: object) -> None:
    values = rlimits_for(Limits(max_processes=5), tasks_already_counted=counted)
    assert values.get("RLIMIT_NPROC") == nproc


def _fake_process(proc: Path, pid: int, *, uid: int, threads: int) -> None:
    task = proc / str(pid) / "task"
    task.mkdir(parents=True)
    for tid in range(threads):
        (task / str(pid + tid)).mkdir()
    os.chown(proc / str(pid), uid, -1) if os.geteuid() == 0 else None


def test_count_tasks_of_counts_threads_of_the_uids_processes(tmp_path: Path) -> None:
    uid = os.getuid()
    _fake_process(tmp_path, 100, uid=uid, threads=3)
    _fake_process(tmp_path, 200, uid=uid, threads=1)
    (tmp_path / "self").mkdir()  # not a pid: ignored
    assert count_tasks_of(uid, proc=str(tmp_path)) == 4
    assert count_tasks_of(uid + 1, proc=str(tmp_path)) == 0


def test_count_tasks_of_without_proc_is_none(tmp_path: Path) -> None:
    assert count_tasks_of(os.getuid(), proc=str(tmp_path / "missing")) is None


def test_count_tasks_of_sees_this_process() -> None:
    assert (count_tasks_of(os.getuid()) or 0) >= 1
