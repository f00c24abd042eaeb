"""glob and grep through the registry; grep once with ripgrep and once with the Python fallback."""

from __future__ import annotations

import importlib.metadata
import os
import sysconfig
from pathlib import Path

import pytest

from s02_tool_use import search
from s02_tool_use.search import grep_python, grep_ripgrep
from s02_tool_use.tools import ToolResult

HAVE_RG = search.ripgrep_binary() is not None


def wheel_installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


RG_WHEEL = wheel_installed("ripgrep")
"""s02 depends on the `ripgrep` wheel where PyPI has one; elsewhere grep falls back to Python."""
IGNORED = [".git/config", ".venv/lib/x.py", "node_modules/m/i.py", "src/__pycache__/a.py", ".harness/t.py"]




def make(root: Path, files: dict[str, str | bytes], age: int = 0) -> None:
    """Create `files`; the first is the newest, each next one `age` seconds older."""
    for n, (name, content) in enumerate(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        os.utime(path, (1_700_000_000 - n * age, 1_700_000_000 - n * age))


# --- glob --------------------------------------------------------------------------------------


def test_glob_newest_first_relative_to_workdir_without_ignored_dirs(call, tmp_path):
    make(tmp_path, {"src/b.py": "", "a.py": "", "src/deep/c.py": "", "notes.md": ""}, age=10)
    make(tmp_path, dict.fromkeys(IGNORED, ""))
    assert call("glob", pattern="**/*.py") == ToolResult("src/b.py\na.py\nsrc/deep/c.py")
    assert call("glob", pattern="*.py") == ToolResult("a.py")
    assert call("glob", pattern="**/*.py").files == ["src/b.py", "a.py", "src/deep/c.py"]
    assert call("glob", pattern="*.py", path="src") == ToolResult("src/b.py")
    assert call("glob", pattern="./src/*.{py,md}") == ToolResult("src/b.py")
    assert call("glob", pattern="*.rs") == ToolResult("No files match *.rs")
    assert call("glob", pattern="*.rs", path="src") == ToolResult("No files match *.rs in src")


def test_glob_caps_at_200(call, tmp_path):
    make(tmp_path, {f"f{n:03}.txt": "" for n in range(205)}, age=1)
    lines = call("glob", pattern="*.txt").content.split("\n")
    assert lines[:2] == ["f000.txt", "f001.txt"]
    assert lines[200:] == ["... and 5 more files; narrow the pattern or the path."]


@pytest.mark.parametrize(
    ("tool_input", "message"),
    [
        ({"pattern": "../*"}, "Glob '../*' must be relative; to search another folder, set `path`."),
        ({"pattern": "/etc/*"}, "Glob '/etc/*' must be relative; to search another folder, set `path`."),
        ({"pattern": "*", "path": "a.py"}, "path a.py is a file, not a folder; glob searches a folder."),
        ({"pattern": "*", "path": "nope"}, "path nope does not exist; glob searches a folder."),
        ({"pattern": "*.{py"}, "Unbalanced braces in glob '*.{py'."),
        ({"path": "."}, "Invalid input for glob: pattern: Field required"),
    ],
)
def test_glob_errors(call, tmp_path, tool_input, message):
    make(tmp_path, {"a.py": ""})
    assert call("glob", **tool_input) == ToolResult(message, is_error=True)


# --- grep --------------------------------------------------------------------------------------


def test_grep_output_shape_filters_and_no_match(call, tmp_path, backend):
    make(
        tmp_path,
        {"src/a.py": "import os\ndef main():\n    os.exit()\n", "src/b.md": "os here\n", "c.py": "x\n"},
    )
    make(tmp_path, {name: "import os\n" for name in IGNORED} | {"blob.bin": b"os\x00\x01"})
    assert call("grep", pattern=r"\bos\b") == ToolResult(
        "src/a.py:1:import os\nsrc/a.py:3:    os.exit()\nsrc/b.md:1:os here"
    )
    assert call("grep", pattern="os", glob="*.md") == ToolResult("src/b.md:1:os here")
    assert call("grep", pattern=r"\bos\b").files == ["src/a.py", "src/a.py", "src/b.md"]  # each line's file
    assert call("grep", pattern="def", path="src/a.py") == ToolResult("src/a.py:2:def main():")
    assert call("grep", pattern="(?i)DEF", path="src") == ToolResult("src/a.py:2:def main():")
    assert call("grep", pattern="nothing") == ToolResult("No matches for nothing")
    assert call("grep", pattern="main", path="src", glob="*.md") == ToolResult(
        "No matches for main in src (files matching *.md)"
    )


def test_grep_caps_lines_and_cuts_long_ones(call, tmp_path, backend):
    make(tmp_path, {"many.txt": "hit\n" * 250, "long.txt": "hit " + "y" * 600 + "\n"})
    lines = call("grep", pattern="hit").content.split("\n")
    assert lines[0] == "long.txt:1:hit " + "y" * 496 + "... [line cut]"
    assert lines[1:3] == ["many.txt:1:hit", "many.txt:2:hit"]
    assert lines[200:] == ["... and 51 more matching lines; narrow the pattern, path or glob."]


def test_grep_invalid_regex_is_an_error(call, tmp_path, backend):
    make(tmp_path, {"a.py": "x\n"})
    result = call("grep", pattern="foo(")
    assert result.is_error
    assert result.content.startswith(("Invalid regex 'foo(':", "grep failed for 'foo(':"))
    assert "regex" in result.content


def test_grep_missing_path_and_invalid_input(call, backend):
    assert call("grep", pattern="x", path="nope") == ToolResult("Path not found: nope", is_error=True)
    result = call("grep", pattern=["x"])
    assert result.is_error and result.content.startswith("Invalid input for grep: pattern:")


def test_grep_does_not_follow_symlinks_out(call, tmp_path, backend):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    make(outside, {"secret.txt": "password\n"})
    try:
        os.symlink(outside, tmp_path / "out_dir", target_is_directory=True)
        os.symlink(outside / "secret.txt", tmp_path / "out_file")
    except (OSError, NotImplementedError):
        pytest.skip("this system cannot create symlinks")
    assert call("grep", pattern="password") == ToolResult("No matches for password")
    assert call("glob", pattern="**/*") == ToolResult("No files match **/*")


# --- ripgrep and the Python fallback agree -------------------------------------------------------


@pytest.mark.skipif(not RG_WHEEL, reason="no ripgrep wheel for this platform")
def test_the_ripgrep_wheel_is_found_without_path(monkeypatch):
    """The wheel puts `rg` in this Python's scripts folder, which need not be on PATH."""
    monkeypatch.setenv("PATH", "")
    found = search.ripgrep_binary()
    assert found is not None
    assert Path(found).parent == Path(sysconfig.get_path("scripts"))


TREE: dict[str, str | bytes] = {
    "B": "foo upper\n",
    "a.py": "foo = 1\nbar = foo\n",
    "a-b": "foo dash\n",
    "a/z.py": "def foo():\n    return 'foo'\n",
    "a/deep/x.txt": "nothing\nfoo at end\n",
    ".hidden": "foo hidden\n",
    "src/.git": "gitdir: foo\n",  # a file named like an ignored folder is still searched
    "crlf.txt": "foo one\r\nfoo end\r\n",
    "latin1.txt": b"caf\xe9 foo\n",
    "ünï/cödé.md": "foo ünïcode\n",
    "empty.txt": "",
    "nonl.txt": "foo without newline",
    "bin.dat": b"foo\x00binary\n",
    **{name: "foo ignored\n" for name in IGNORED},
}


@pytest.mark.skipif(not (HAVE_RG or RG_WHEEL), reason="ripgrep (rg) is not installed")
@pytest.mark.parametrize(
    ("pattern", "path", "glob"),
    [
        ("foo", ".", None),
        ("end$", ".", None),
        (r"^\s+return", ".", None),
        ("foo", "a", None),
        ("foo", "a.py", None),
        ("foo", "a.py", "*.md"),  # a file named explicitly ignores the glob
        ("foo", ".", "*.py"),
        ("foo", ".", "*.{py,md}"),
        ("foo", ".", "a/*.py"),
        ("foo", ".", "**/*.txt"),
        ("foo", ".", "!*.py"),
        ("foo", "src", None),
        ("foo", "bin.dat", None),
        ("ünï|café", ".", None),
        ("zzz", ".", None),
    ],
)
def test_ripgrep_and_python_give_the_same_matches(tmp_path, pattern, path, glob):
    make(tmp_path, TREE)
    base = (tmp_path / path).resolve()
    found = grep_python(tmp_path, base, pattern, glob)
    assert found == grep_ripgrep(tmp_path, base, pattern, glob)
    assert not found.stopped and found.total == len(found.matches)
    python = found.matches
    if pattern == "foo" and path == "." and glob is None:
        assert [p for p, _, _ in python] == [
            ".hidden", "B", "a/deep/x.txt", "a/z.py", "a/z.py", "a-b", "a.py", "a.py",
            "crlf.txt", "crlf.txt", "latin1.txt", "nonl.txt", "src/.git", "ünï/cödé.md",
        ]  # fmt: skip
        assert ("crlf.txt", 2, "foo end") in python
        assert ("latin1.txt", 1, "caf\ufffd foo") in python
