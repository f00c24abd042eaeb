"""The search tools: `glob` finds files by name, `grep` finds lines by regular expression.

With only `bash`, the model ran `find` and `grep -r` and drowned in `.git` and `.venv`. These tools
search inside the work dir only, skip the folders nobody means (`IGNORED_DIRS`), never follow
symlinks, and cap what they return. `grep` runs ripgrep (`rg`) when it is installed and otherwise
a pure Python search that gives the same output: `grep_ripgrep` and `grep_python`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from s02_tool_use.files import BINARY_SNIFF_BYTES, description_of, split_lines
from s02_tool_use.paths import IGNORED_DIRS, display_path, glob_to_regex, resolve_in_workdir, walk_files
from s02_tool_use.tools import Tool, ToolContext, ToolError, ToolResult

MAX_RESULTS = 200
MAX_MATCH_CHARS = 500
RG_TIMEOUT_SECONDS = 30

Match = tuple[str, int, str]  # (path relative to the work dir, 1-based line number, line text)


class GlobInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(description="A glob relative to `path`, e.g. `**/*.py` or `src/*.md`.")
    path: str | None = Field(None, description="The folder to search (default: the work dir).")


class GrepInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(description="Regular expression searched for in each line, e.g. `def \\w+\\(`.")
    path: str | None = Field(None, description="The file or folder to search (default: the whole work dir).")
    glob: str | None = Field(None, description="Only files whose name matches, e.g. `*.py`, `*.{ts,tsx}`.")


def modified_time(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# ---------------------------------------------------------------------------------------------


def glob(args: GlobInput, ctx: ToolContext) -> ToolResult | str:
    """Find files by name pattern, e.g. `**/*.py` (any depth) or `src/*.md`; `{a,b}` means either.
    Returns paths relative to the work dir, newest first, at most 200. Skips .git, .venv,
    node_modules, __pycache__ and .harness."""
    root = ctx.workdir.resolve()
    base = resolve_in_workdir(ctx.workdir, args.path or ".")
    if not base.is_dir():
        what = "is a file, not a folder" if base.exists() else "does not exist"
        raise ToolError(f"path {display_path(root, base)} {what}; glob searches a folder.")
    pattern = args.pattern.removeprefix("./")
    if pattern.startswith(("/", "~")) or ".." in pattern.split("/"):
        raise ToolError(f"Glob {args.pattern!r} must be relative; to search another folder, set `path`.")
    matcher = glob_to_regex(pattern)
    found = [p for p in walk_files(base) if matcher.fullmatch(p.relative_to(base).as_posix())]
    if not found:
        return f"No files match {args.pattern}" + (f" in {display_path(root, base)}" if args.path else "")
    found.sort(key=lambda p: (-modified_time(p), p))
    files: list[str | None] = [display_path(root, p) for p in found[:MAX_RESULTS]]
    lines = list(files)
    if len(found) > MAX_RESULTS:
        lines.append(f"... and {len(found) - MAX_RESULTS} more files; narrow the pattern or the path.")
        files.append(None)
    return ToolResult("\n".join(lines), files=files)  # each line's file, for whoever filters it (s07)


def grep_python(workdir: Path, base: Path, pattern: str, glob: str | None = None) -> list[Match]:
    """The pure Python search: the same files, order and lines as `grep_ripgrep`."""
    try:
        regex = re.compile(pattern)
    except re.error as e:
        raise ToolError(f"Invalid regex {pattern!r}: {e}") from None
    root = workdir.resolve()
    wanted = name_filter(glob)
    matches: list[Match] = []
    for path in walk_files(base):
        rel = path.relative_to(root).as_posix()
        if path != base and not wanted(rel):  # like rg, a file named explicitly is always searched
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"\0" in data[:BINARY_SNIFF_BYTES]:
            continue
        for number, line in enumerate(split_lines(data.decode("utf-8", errors="replace")), 1):
            if regex.search(line):
                matches.append((rel, number, line))
    return sorted(matches, key=match_order)


def name_filter(glob: str | None):
    """rg's `--glob` rule: a glob with a `/` matches the path from the work dir, else the name."""
    if not glob:
        return lambda rel: True
    negate, glob = glob.startswith("!"), glob.removeprefix("!")
    matcher = glob_to_regex(glob.removeprefix("/"))
    if "/" in glob:
        return lambda rel: bool(matcher.fullmatch(rel)) != negate
    return lambda rel: bool(matcher.fullmatch(rel.rsplit("/", 1)[-1])) != negate


def ripgrep_binary() -> str | None:
    """The `rg` to run: the `ripgrep` wheel's, installed beside this Python (so found even when the
    venv's bin folder is not on PATH), else one on PATH, else None (grep then searches in Python)."""
    for folder in filter(None, [sysconfig.get_path("scripts"), os.path.dirname(sys.executable or "")]):
        if found := shutil.which("rg", path=folder):
            return found
    return shutil.which("rg")


def grep_ripgrep(workdir: Path, base: Path, pattern: str, glob: str | None = None) -> list[Match]:
    """Search with ripgrep, with the rules of `grep_python` (no .gitignore, hidden files included)."""
    root = workdir.resolve()
    rg = ripgrep_binary() or "rg"
    cmd = [rg, "--no-config", "--no-messages", "--hidden", "--no-ignore", "--crlf", "--line-number"]
    # --null prints `path\0line:text`, which no file name can make ambiguous
    cmd += ["--no-heading", "--color", "never", "--with-filename", "--null"]
    if glob:
        cmd += ["--glob", glob]
    for name in sorted(IGNORED_DIRS):  # after the user's glob: the later glob wins in rg
        cmd += ["--glob", f"!{name}/"]
    # subtle: always name the path; with none, rg would read stdin whenever it is a pipe
    cmd += ["--regexp", pattern, "--", display_path(root, base)]
    try:
        done = subprocess.run(
            cmd, cwd=root, stdin=subprocess.DEVNULL, capture_output=True, timeout=RG_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"grep timed out after {RG_TIMEOUT_SECONDS}s; narrow the path or glob.") from None
    problem = done.stderr.decode("utf-8", errors="replace").strip()
    if done.returncode == 2 and problem and not done.stdout:  # --no-messages leaves the fatal ones
        raise ToolError(f"grep failed for {pattern!r}: {problem}")
    matches: list[Match] = []
    for row in done.stdout.decode("utf-8", errors="replace").split("\n"):
        path, null, rest = row.partition("\0")
        number, _, text = rest.partition(":")
        if null and number.isdigit():  # skips notices such as "binary file matches"
            matches.append((path.removeprefix("./"), int(number), text.removesuffix("\r")))
    return sorted(matches, key=match_order)


def match_order(match: Match) -> tuple[list[str], int]:
    """Path by path (folder by folder, like `rg --sort path`), then line by line."""
    return match[0].split("/"), match[1]


def cut(text: str) -> str:
    return text if len(text) <= MAX_MATCH_CHARS else f"{text[:MAX_MATCH_CHARS]}... [line cut]"


def grep(args: GrepInput, ctx: ToolContext) -> ToolResult | str:
    """Search file contents for a regular expression (ripgrep syntax: no look-around or
    backreferences; `(?i)` for case-insensitive). Searches `path` (a file or folder, default the
    work dir), optionally only files matching `glob`. Returns `path:line:text`, at most 200 lines.
    Skips binary files, symlinks, .git, .venv, node_modules, __pycache__ and .harness."""
    root = ctx.workdir.resolve()
    base = resolve_in_workdir(ctx.workdir, args.path or ".")
    if not base.exists():
        raise ToolError(f"Path not found: {display_path(root, base)}")
    search = grep_ripgrep if ripgrep_binary() else grep_python
    matches = search(root, base, args.pattern, args.glob)
    if not matches:
        where = f" in {display_path(root, base)}" if args.path else ""
        only = f" (files matching {args.glob})" if args.glob else ""
        return f"No matches for {args.pattern}{where}{only}"
    lines = [f"{path}:{n}:{cut(text)}" for path, n, text in matches[:MAX_RESULTS]]
    files: list[str | None] = [path for path, _, _ in matches[:MAX_RESULTS]]
    if len(matches) > MAX_RESULTS:
        more = len(matches) - MAX_RESULTS
        lines.append(f"... and {more} more matching lines; narrow the pattern, path or glob.")
        files.append(None)
    return ToolResult("\n".join(lines), files=files)  # each line's file, for whoever filters it (s07)


SEARCH_TOOLS: list[Tool] = [
    Tool("glob", description_of(glob), GlobInput, glob, kind="read", read_only=True, path_arg="path",
         tip="Find files with glob and search their contents with grep, rather than find or grep in bash."),
    Tool("grep", description_of(grep), GrepInput, grep, kind="read", read_only=True, path_arg="path"),
]
