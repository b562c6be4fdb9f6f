"""The bubblewrap command line: what is bound, unshared and set, in each mode."""

from __future__ import annotations

import pytest

from assay.sandbox.bwrap import SANDBOX_SRC, SANDBOX_WORK, HostLayout, bwrap_argv

MERGED_USR = HostLayout(symlinks={"/bin": "usr/bin", "/lib": "usr/lib"}, directories=())


def argv(**overrides: object) -> list[str]:
    options: dict[str, object] = {
        "bwrap": "/usr/bin/bwrap",
        "prefix": "/usr",
        "src_dir": "/tmp/assay-run-x/src",
        "layout": MERGED_USR,
        "as_root": False,
        "work_dir_size_mb": 16,
        "command": ["/usr/bin/python3", "-I", "launcher.py"],
    }
    options.update(overrides)
    return bwrap_argv(**options)  # type: ignore[arg-type]


def pairs(args: list[str], flag: str) -> list[tuple[str, str]]:
    """Every ``flag A B`` in ``args`` as ``(A, B)``."""
    return [(args[i + 1], args[i + 2]) for i, arg in enumerate(args) if arg == flag]


def sandbox_part(args: list[str]) -> list[str]:
    return args[: args.index("--")]


def test_the_command_comes_last_after_a_double_dash() -> None:
    args = argv()
    assert args[0] == "/usr/bin/bwrap"
    assert args[args.index("--") + 1 :] == ["/usr/bin/python3", "-I", "launcher.py"]


@pytest.mark.parametrize(
    ("as_root", "present", "absent"),
    [
        (False, {"--unshare-user", "--unshare-all", "--disable-userns"}, set()),
        (
            True,
            {"--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"},
            {"--unshare-user", "--unshare-all"},
        ),
    ],
)
def test_namespaces_per_mode(as_root: bool, present: set[str], absent: set[str]) -> None:
    args = set(sandbox_part(argv(as_root=as_root)))
    assert present <= args
    assert not absent & args


@pytest.mark.parametrize("as_root", [False, True])
def test_the_sandbox_dies_with_its_parent_and_leaves_the_terminal(as_root: bool) -> None:
    args = sandbox_part(argv(as_root=as_root))
    assert {"--die-with-parent", "--as-pid-1", "--new-session", "--clearenv"} <= set(args)


def test_the_host_layout_is_reproduced() -> None:
    layout = HostLayout(symlinks={"/lib": "usr/lib"}, directories=("/lib64",))
    args = argv(layout=layout)
    assert ("usr/lib", "/lib") in pairs(args, "--symlink")
    assert ("/lib64", "/lib64") in pairs(args, "--ro-bind")
    assert ("/usr", "/usr") in pairs(args, "--ro-bind")


def test_only_usr_the_interpreter_and_the_program_are_bound() -> None:
    args = argv(prefix="/opt/python/3.11")
    assert pairs(args, "--ro-bind") == [
        ("/usr", "/usr"),
        ("/opt/python/3.11", "/opt/python/3.11"),
        ("/tmp/assay-run-x/src", SANDBOX_SRC),
    ]
    assert pairs(args, "--bind") == []


def test_a_prefix_outside_usr_gets_traversable_parents() -> None:
    args = argv(prefix="/root/.pyenv/versions/3.11.7")
    dirs = [args[i + 1] for i, arg in enumerate(args) if arg == "--dir"]
    assert dirs == ["/root", "/root/.pyenv", "/root/.pyenv/versions"]
    for i, arg in enumerate(args):
        if arg == "--dir":
            assert args[i - 2 : i] == ["--perms", "0755"]


@pytest.mark.parametrize("prefix", ["/usr", "/usr/local", "/"])
def test_a_prefix_already_visible_is_not_bound_again(prefix: str) -> None:
    args = argv(prefix=prefix)
    assert [src for src, _ in pairs(args, "--ro-bind")] == ["/usr", "/tmp/assay-run-x/src"]
    assert "--dir" not in args


def test_the_work_dir_is_a_sized_world_writable_tmpfs_and_the_cwd() -> None:
    args = argv(work_dir_size_mb=3)
    at = args.index("--tmpfs")
    assert args[at - 4 : at + 2] == [
        "--perms",
        "1777",
        "--size",
        str(3 * 1024 * 1024),
        "--tmpfs",
        SANDBOX_WORK,
    ]
    assert args[args.index("--chdir") + 1] == SANDBOX_WORK


def test_the_environment_is_cleared_then_set_to_a_fixed_few() -> None:
    args = argv()
    assert args.index("--clearenv") < args.index("--setenv")
    assert dict(pairs(args, "--setenv")) == {
        "LANG": "C.UTF-8",
        "PATH": "/usr/bin:/bin",
        "HOME": SANDBOX_WORK,
        "TMPDIR": SANDBOX_WORK,
    }


def test_proc_and_dev_are_the_sandboxs_own() -> None:
    args = argv()
    assert args[args.index("--proc") + 1] == "/proc"
    assert args[args.index("--dev") + 1] == "/dev"
