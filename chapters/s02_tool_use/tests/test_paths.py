"""Every way out of the work dir, tried against every tool that takes a path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from s02_tool_use.files import FILE_TOOLS
from s02_tool_use.paths import display_path, glob_to_regex, resolve_in_workdir
from s02_tool_use.search import SEARCH_TOOLS
from s02_tool_use.tools import ToolContext, ToolError, ToolRegistry

SECRET = "top secret outside"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """`work/` (the work dir) with links in and out, and `outside/` next to it."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    (work / "src").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (work / "src" / "real.txt").write_text("inside\n")
    try:
        os.symlink(outside / "secret.txt", work / "out_file")
        os.symlink(outside, work / "out_dir", target_is_directory=True)
        os.symlink(outside / "missing.txt", work / "dangling")
        os.symlink(work / "src" / "real.txt", work / "in_file")
        os.symlink(work / "src", work / "in_dir", target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot create symlinks")
    return work, outside


ESCAPES = {
    "dotdot": "../outside/secret.txt",
    "dotdot_nested": "src/../../outside/secret.txt",
    "dotdot_via_new_dir": "a/../../outside/secret.txt",
    "absolute_outside": "{outside}/secret.txt",
    "link_to_file_outside": "out_file",
    "link_to_dir_outside": "out_dir",
    "through_link_to_dir_outside": "out_dir/secret.txt",
    "dangling_link_outside": "dangling",
    "under_dangling_link": "dangling/x.txt",
}
HOME = {"tilde": "~/x", "tilde_user": "~root/x", "tilde_alone": "~"}


def tool_input(tool: str, path: str) -> dict:
    return {
        "read_file": {"path": path},
        "write_file": {"path": path, "content": "overwritten"},
        "edit_file": {"path": path, "old_string": "top", "new_string": "bottom"},
        "glob": {"pattern": "*", "path": path},
        "grep": {"pattern": "secret", "path": path},
    }[tool]


TOOL_NAMES = ["read_file", "write_file", "edit_file", "glob", "grep"]


@pytest.mark.parametrize("tool", TOOL_NAMES)
@pytest.mark.parametrize("path", list({**ESCAPES, **HOME}.values()), ids=list({**ESCAPES, **HOME}))
def test_every_tool_refuses_every_escape(layout, tool, path):
    work, outside = layout
    path = path.format(outside=outside)
    result = (
        ToolRegistry().add(*FILE_TOOLS, *SEARCH_TOOLS).call(tool, tool_input(tool, path), ToolContext(work))
    )
    assert result.is_error
    if path.startswith("~"):
        assert "home folders are not expanded" in result.content
        assert f"relative to the work dir {work.resolve()}" in result.content
    else:
        assert f"outside the work dir {work.resolve()}; use a path inside it." in result.content
    assert SECRET not in result.content
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == SECRET


def test_the_message_names_the_path_and_the_work_dir(layout):
    work, _ = layout
    with pytest.raises(ToolError) as e:
        resolve_in_workdir(work, "../x")
    assert str(e.value) == f"Path '../x' is outside the work dir {work.resolve()}; use a path inside it."
    with pytest.raises(ToolError, match="goes through a symlink to .*outside.*secret.txt"):
        resolve_in_workdir(work, "out_file")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/real.txt", "src/real.txt"),
        ("./src/../src/real.txt", "src/real.txt"),
        ("in_file", "src/real.txt"),  # a symlink that stays inside is fine
        ("in_dir/real.txt", "src/real.txt"),
        ("new/deep/file.txt", "new/deep/file.txt"),  # need not exist yet
        (".", "."),
        ("", "."),
        ("./~literal", "~literal"),
    ],
)
def test_paths_inside_are_resolved(layout, path, expected):
    work, _ = layout
    resolved = resolve_in_workdir(work, path)
    assert resolved.is_absolute()
    assert display_path(work, resolved) == expected


def test_absolute_path_inside_is_allowed(layout):
    work, _ = layout
    assert resolve_in_workdir(work, str(work / "src" / "real.txt")) == (work / "src" / "real.txt").resolve()


def test_symlink_loop_and_nul_byte_are_errors_not_crashes(layout):
    work, _ = layout
    os.symlink(work / "loop_b", work / "loop_a")
    os.symlink(work / "loop_a", work / "loop_b")
    for bad in ("loop_a", "bad\0name"):
        with pytest.raises(ToolError):
            resolve_in_workdir(work, bad)


def test_display_path_outside_is_left_absolute(tmp_path):
    assert display_path(tmp_path / "w", Path("/elsewhere/x")) == "/elsewhere/x"


@pytest.mark.parametrize(
    ("pattern", "yes", "no"),
    [
        ("*.py", ["a.py", ".a.py"], ["src/a.py", "a.pyc"]),
        ("**/*.py", ["a.py", "src/a.py", "src/x/y/a.py"], ["a.txt"]),
        ("src/**/*.py", ["src/a.py", "src/x/a.py"], ["a.py", "lib/src/a.py"]),
        ("src/**", ["src/a", "src/x/y"], ["src"]),
        ("*.{py,md}", ["a.py", "b.md"], ["c.txt", "a.{py,md}"]),
        ("?.txt", ["a.txt"], ["ab.txt", "/.txt"]),
        ("[a-c]*.txt", ["b1.txt"], ["d1.txt"]),
        ("[!a]*.txt", ["b.txt"], ["a.txt"]),
        ("a+b(1).txt", ["a+b(1).txt"], ["aab1.txt"]),
    ],
)
def test_glob_to_regex(pattern, yes, no):
    regex = glob_to_regex(pattern)
    assert [p for p in yes if regex.fullmatch(p)] == yes
    assert [p for p in no if regex.fullmatch(p)] == []


def test_glob_to_regex_unbalanced_braces():
    with pytest.raises(ToolError, match="Unbalanced"):
        glob_to_regex("*.{py,md")
