"""Resource limits for one sandboxed run, with the unit in every name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MIB = 1024 * 1024
"""Bytes in one mebibyte: every ``*_mb`` limit counts MiB."""


class Limits(BaseModel):
    """What one run may use; every field is enforced by the sandbox, not by the program.

    How each is enforced (``RLIMIT_*`` are set inside the sandbox just before the program
    starts, see ``setrlimit(2)``):

    - ``wall_timeout_s``: the host kills the whole process tree when it expires.
    - ``cpu_time_s``: ``RLIMIT_CPU`` (soft; the hard limit is one second more), per process.
    - ``memory_mb``: ``RLIMIT_AS``, the address space of each process.
    - ``max_processes``: ``RLIMIT_NPROC``, tasks (processes and threads) at once, the
      program itself included (and, under bubblewrap as a non-root host, the sandbox's
      init); counted for a uid or user namespace of the run's own (see ``SandboxRunner``).
    - ``max_file_size_mb``: ``RLIMIT_FSIZE``, the largest file the program may write.
    - ``max_open_files``: ``RLIMIT_NOFILE``.
    - ``max_output_bytes``: stdout and stderr together; the host keeps that many bytes and
      kills the program when it writes more.
    - ``work_dir_size_mb``: size of the tmpfs mounted as the working directory (bubblewrap
      only; without it the working directory is a plain temporary directory).

    Raises:
        pydantic.ValidationError: A value out of its range, naming the field and the rule.

    Example:
        >>> Limits(wall_timeout_s=2).cpu_time_s
        5
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    wall_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    """Wall-clock time before the run is killed, in seconds."""
    cpu_time_s: int = Field(default=5, ge=1, le=3600)
    """CPU time per process, in whole seconds."""
    memory_mb: int = Field(default=256, ge=32, le=65536)
    """Address space per process, in MiB."""
    max_processes: int = Field(default=16, ge=1, le=4096)
    """Tasks (processes and threads) the program may have at once, itself included."""
    max_file_size_mb: int = Field(default=8, ge=1, le=65536)
    """Largest file the program may write, in MiB."""
    max_open_files: int = Field(default=64, ge=16, le=65536)
    """File descriptors per process."""
    max_output_bytes: int = Field(default=1 * MIB, ge=1, le=1024 * MIB)
    """stdout plus stderr kept before the program is killed, in bytes."""
    work_dir_size_mb: int = Field(default=16, ge=1, le=65536)
    """Size of the tmpfs working directory, in MiB (bubblewrap only)."""


__all__ = ["MIB", "Limits"]
