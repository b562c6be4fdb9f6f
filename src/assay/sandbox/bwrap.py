"""The bubblewrap command line for one run (pure), and the host facts it depends on.

Inside the sandbox the program sees: a read-only ``/usr`` and the interpreter's prefix (bound
at the same path, so the interpreter finds its standard library and ``libpython``), the
host's ``/bin``, ``/lib*`` as the same symlinks or read-only binds, a fresh ``/proc`` of its
own pid namespace, a minimal ``/dev``, its files read-only in ``/sandbox`` and an empty tmpfs
``/work`` (mode 1777, ``work_dir_size_mb`` big) as its working directory. No other host path,
no network (an empty network namespace), no host process, no environment but ``SANDBOX_ENV``.

Two modes, because the kernel never enforces ``RLIMIT_NPROC`` for uid 0:

- the host user is not root: ``--unshare-user`` (and ``--disable-userns`` so the program cannot
  nest another one); ``RLIMIT_NPROC``, set inside, counts the tasks of this user namespace;
- the host user is root: no user namespace (root can mount without one) and the launcher drops
  to a uid of the run's own, whose tasks ``RLIMIT_NPROC`` counts.

Either way ``--die-with-parent`` kills the sandbox when the host process dies, and
``--new-session`` detaches it from any terminal. ``--as-pid-1`` makes the launcher the
namespace's init, reaped by the bubblewrap process the host waits for (bubblewrap's own init
would exit unreaped, losing the program's CPU time); the launcher forks the program and
reaps it (see ``assay.sandbox._launcher``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from assay.sandbox.limits import MIB

SANDBOX_SRC = "/sandbox"
"""Where the program and its files are, read-only."""
SANDBOX_WORK = "/work"
"""The program's working directory: an empty tmpfs."""
SANDBOX_ENV: Mapping[str, str] = {
    "LANG": "C.UTF-8",
    "PATH": "/usr/bin:/bin",
    "HOME": SANDBOX_WORK,
    "TMPDIR": SANDBOX_WORK,
}
"""The program's whole environment."""
TOP_LEVEL_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
"""Top-level paths reproduced in the sandbox as on the host (symlink or read-only bind)."""


@dataclass(frozen=True)
class HostLayout:
    """What the host has at each of ``TOP_LEVEL_LINKS``.

    Attributes:
        symlinks: Path -> symlink target (merged-/usr systems: ``/lib -> usr/lib``).
        directories: Paths that are real directories, bound read-only.
    """

    symlinks: Mapping[str, str]
    directories: tuple[str, ...]

    @classmethod
    def inspect(cls) -> HostLayout:
        """Read the host's layout of ``TOP_LEVEL_LINKS``."""
        symlinks: dict[str, str] = {}
        directories: list[str] = []
        for path in TOP_LEVEL_LINKS:
            if os.path.islink(path):
                symlinks[path] = os.readlink(path)
            elif os.path.isdir(path):
                directories.append(path)
        return cls(symlinks=symlinks, directories=tuple(directories))


def _ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``["/a", "/a/b"]``."""
    parents = list(PurePosixPath(path).parents)[:-1]
    return [str(parent) for parent in reversed(parents)]


def _is_within(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def bwrap_argv(
    *,
    bwrap: str,
    prefix: str,
    src_dir: str,
    layout: HostLayout,
    as_root: bool,
    work_dir_size_mb: int,
    command: Sequence[str],
) -> list[str]:
    """The full bubblewrap command line.

    Args:
        bwrap: Path of the ``bwrap`` executable.
        prefix: The interpreter's installation prefix (``<prefix>/bin/python3``), bound
            read-only.
        src_dir: Host directory bound read-only at ``SANDBOX_SRC``.
        layout: The host's top-level layout.
        as_root: Whether the host user is root (see the module docstring).
        work_dir_size_mb: Size of the tmpfs at ``SANDBOX_WORK``, in MiB.
        command: What to run inside, starting with the interpreter's real path.

    Example:
        >>> argv = bwrap_argv(bwrap="bwrap", prefix="/usr",
        ...                   src_dir="/tmp/x", layout=HostLayout({"/lib": "usr/lib"}, ()),
        ...                   as_root=False, work_dir_size_mb=16, command=["/usr/bin/python3"])
        >>> argv[:4]
        ['bwrap', '--unshare-user', '--unshare-all', '--disable-userns']
    """
    if as_root:
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        namespaces.append("--unshare-cgroup-try")
    else:
        namespaces = ["--unshare-user", "--unshare-all", "--disable-userns"]
    argv = [bwrap, *namespaces, "--die-with-parent", "--as-pid-1", "--new-session"]
    argv += ["--hostname", "sandbox"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for path, target in layout.symlinks.items():
        argv += ["--symlink", target, path]
    for path in layout.directories:
        argv += ["--ro-bind", path, path]
    bound = ["/usr", *layout.directories]
    if prefix != "/" and not _is_within(prefix, bound):
        for parent in _ancestors(prefix):
            argv += ["--perms", "0755", "--dir", parent]
        argv += ["--ro-bind", prefix, prefix]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--perms", "1777", "--size", str(work_dir_size_mb * MIB), "--tmpfs", SANDBOX_WORK]
    argv += ["--ro-bind", src_dir, SANDBOX_SRC, "--chdir", SANDBOX_WORK, "--clearenv"]
    for name, value in SANDBOX_ENV.items():
        argv += ["--setenv", name, value]
    return [*argv, "--", *command]


__all__ = [
    "SANDBOX_ENV",
    "SANDBOX_SRC",
    "SANDBOX_WORK",
    "TOP_LEVEL_LINKS",
    "HostLayout",
    "bwrap_argv",
]
