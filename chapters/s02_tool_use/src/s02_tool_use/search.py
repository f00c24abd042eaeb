"""The search tools: `glob` finds files by name, `grep` finds lines by regular expression.

With only `bash`, the model ran `find` and `grep -r` and drowned in `.git` and `.venv`. These tools
search inside the work dir only, skip the folders nobody means (`IGNORED_DIRS`), never follow
symlinks, and cap what they return. `grep` runs ripgrep (`rg`) when it is installed and otherwise
a pure Python search that gives the same output: `grep_ripgrep` and `grep_python`.

Every search is bounded, and says so when a bound stops it: at most SEARCH_TIMEOUT_SECONDS (the
Python search runs in a child process that is killed then: Python's `re` cannot be interrupted,
and `(a+)+$` against forty `a`s never ends), glob visits at most GLOB_MAX_FILES files, files are
read a line at a time, and only the first MAX_RESULTS matches are kept, however many there are.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from s02_tool_use.files import description_of
from s02_tool_use.paths import (
    IGNORED_DIRS,
    LONE_SURROGATE,
    display_path,
    glob_to_regex,
    printable,
    resolve_in_workdir,
    walk_files,
)
from s02_tool_use.reading import BINARY_SNIFF_BYTES, file_kind, open_regular, text_lines
from s02_tool_use.tools import Tool, ToolContext, ToolError, ToolResult

MAX_RESULTS = 200
MAX_MATCH_CHARS = 500
MAX_PATTERN_CHARS = 1000
SEARCH_TIMEOUT_SECONDS = 30
GLOB_MAX_FILES = 200_000
RG_MAX_COLUMNS = 4096
"""rg prints only this many bytes of a long line (`--max-columns-preview`): at least the 501
characters we keep, however the line is encoded."""
REPORT_SECONDS = 0.25
"""How often the Python search's child process sends what it has found so far."""

Match = tuple[str, int, str]  # (path relative to the work dir, 1-based line number, line text)


class Found(NamedTuple):
    matches: list[Match]
    """The first MAX_RESULTS matches in `match_order`, each text cut to MAX_MATCH_CHARS + 1 chars."""
    total: int
    """How many lines matched in all."""
    stopped: bool = False
    """The search hit its time bound: there may be more."""


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


def check_pattern(what: str, pattern: str) -> None:
    """Refuse what no search should run: a pattern longer than MAX_PATTERN_CHARS, or one with a
    lone surrogate (no file's text or name can hold one, and rg could not even be given it)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ToolError(f"The {what} is {len(pattern):,} characters long; the limit is "
                        f"{MAX_PATTERN_CHARS:,}. Search for a shorter, distinctive part of the text.")
    if LONE_SURROGATE.search(pattern):
        raise ToolError(f"The {what} {pattern!r} has a lone surrogate, which UTF-8 cannot encode.")


class First:
    """The first `n` of many items by `key`, and how many there were, in bounded memory."""

    def __init__(self, key, n: int = MAX_RESULTS):
        self.key, self.n, self.items, self.total, self.cutoff = key, n, [], 0, None

    def add(self, item) -> bool:
        """Count `item`, and keep it unless it is certainly not among the first `n`; then return
        True: nothing that sorts after it is either (the caller may stop looking at a file)."""
        self.total += 1
        if self.cutoff is not None and self.key(item) > self.cutoff:
            return True
        self.items.append(item)
        if len(self.items) >= 4 * self.n:
            self.items = self.first()
            self.cutoff = self.key(self.items[-1])
        return False

    def first(self) -> list:
        return sorted(self.items, key=self.key)[: self.n]


# ---------------------------------------------------------------------------------------------


def glob(args: GlobInput, ctx: ToolContext) -> ToolResult | str:
    """Find files by name pattern, e.g. `**/*.py` (any depth) or `src/*.md`; `{a,b}` means either.
    Returns paths relative to the work dir, newest first, at most 200. Skips .git, .venv,
    node_modules, __pycache__ and .harness. Stops after 200,000 files or 30 s, and says so."""
    root = ctx.workdir.resolve()
    base = resolve_in_workdir(ctx.workdir, args.path or ".")
    if not base.is_dir():
        what = "is a file, not a folder" if base.exists() else "does not exist"
        raise ToolError(f"path {display_path(root, base)} {what}; glob searches a folder.")
    check_pattern("glob pattern", args.pattern)
    pattern = args.pattern.removeprefix("./")
    if pattern.startswith(("/", "~")) or ".." in pattern.split("/"):
        raise ToolError(f"Glob {args.pattern!r} must be relative; to search another folder, set `path`.")
    matcher = glob_to_regex(pattern)
    # walk, keeping the newest MAX_RESULTS, until the walk ends or a bound stops it
    newest, stopped = First(key=lambda found: (-found[0], found[1])), None
    deadline = time.monotonic() + SEARCH_TIMEOUT_SECONDS
    for visited, path in enumerate(walk_files(base)):
        if visited == GLOB_MAX_FILES:
            stopped = f"after {visited:,} files"
            break
        if time.monotonic() > deadline:
            stopped = f"after {SEARCH_TIMEOUT_SECONDS:g}s"
            break
        if matcher.fullmatch(path.relative_to(base).as_posix()):
            newest.add((modified_time(path), path))
    where = f" in {display_path(root, base)}" if args.path else ""
    if stopped and not newest.total:
        raise ToolError(f"No files match {args.pattern}{where} so far: glob stopped {stopped}, before it had "
                        "seen every file. Narrow the path or the pattern.")
    if not newest.total:
        return f"No files match {args.pattern}{where}"
    files: list[str | None] = [display_path(root, path) for _, path in newest.first()]
    lines = list(files)
    if newest.total > MAX_RESULTS:
        lines.append(f"... and {newest.total - MAX_RESULTS} more files; narrow the pattern or the path.")
        files.append(None)
    if stopped:
        lines.append(f"(glob stopped {stopped}, before it had seen every file: there may be more; narrow "
                     "the path or the pattern.)")
        files.append(None)
    return ToolResult("\n".join(lines), files=files)  # each line's file, for whoever filters it (s07)


def grep_python(workdir: Path, base: Path, pattern: str, glob: str | None = None,
                timeout: float | None = None) -> Found:
    """The pure Python search: the same files, order and lines as `grep_ripgrep`, in a child
    process (`search_files`) that is killed once `timeout` seconds have passed."""
    try:
        re.compile(pattern)
    except re.error as e:
        raise ToolError(f"Invalid regex {pattern!r}: {e}") from None
    name_filter(glob)  # a bad glob is an error here, not in the child
    timeout = SEARCH_TIMEOUT_SECONDS if timeout is None else timeout
    # 1. start the search in a child process: "fork" where there is one (no re-import, fast)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=search_files, args=(sender, workdir.resolve(), base, pattern, glob))
    child.start()
    sender.close()
    # 2. take what it sends (what it has found so far, now and then) until it is done or time is up
    found, done, deadline = Found([], 0), False, time.monotonic() + timeout
    try:
        while not done and receiver.poll(max(0.0, deadline - time.monotonic())):
            try:
                found, done = receiver.recv()
            except EOFError:  # it died without saying it was done
                break
    finally:
        # 3. it never outlives the call
        child.kill()
        child.join()
        receiver.close()
    if not done and time.monotonic() < deadline:
        raise ToolError(f"grep's search process ended unexpectedly (exit code {child.exitcode}).")
    return found if done else found._replace(stopped=True)


def search_files(sender, root: Path, base: Path, pattern: str, glob: str | None) -> None:
    """In the child process: search every file, sending `(Found, done)` every REPORT_SECONDS and
    at the end. Files are read a line at a time (`text_lines`), never whole."""
    regex, wanted = re.compile(pattern), name_filter(glob)
    first, reported = First(key=match_order), time.monotonic()
    for path in walk_files(base):
        rel = printable(path.relative_to(root).as_posix())
        if path != base and not wanted(rel):  # like rg, a file named explicitly is always searched
            continue
        try:
            with open_regular(path) as f:  # subtle: walk_files checked, but a file can change since
                if b"\0" in f.read(BINARY_SNIFF_BYTES):
                    continue
                f.seek(0)
                passed = False  # past the first MAX_RESULTS: the rest of the file only counts
                for number, (text, _, hit) in enumerate(text_lines(f, MAX_MATCH_CHARS + 1, regex.search), 1):
                    if hit and passed:
                        first.total += 1
                    elif hit:
                        passed = first.add((rel, number, text))
        except OSError:
            continue
        if time.monotonic() - reported > REPORT_SECONDS:
            sender.send((Found(first.first(), first.total), False))
            reported = time.monotonic()
    sender.send((Found(first.first(), first.total), True))
    sender.close()


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


def grep_ripgrep(workdir: Path, base: Path, pattern: str, glob: str | None = None,
                 timeout: float | None = None) -> Found:
    """Search with ripgrep, with the rules of `grep_python` (no .gitignore, hidden files included)."""
    root = workdir.resolve()
    rg = ripgrep_binary() or "rg"
    cmd = [rg, "--no-config", "--no-messages", "--hidden", "--no-ignore", "--crlf", "--line-number"]
    # --null prints `path\0line:text`, which no file name can make ambiguous
    cmd += ["--no-heading", "--color", "never", "--with-filename", "--null"]
    cmd += ["--max-columns", str(RG_MAX_COLUMNS), "--max-columns-preview"]
    if glob:
        cmd += ["--glob", glob]
    for name in sorted(IGNORED_DIRS):  # after the user's glob: the later glob wins in rg
        cmd += ["--glob", f"!{name}/"]
    # subtle: always name the path; with none, rg would read stdin whenever it is a pipe
    cmd += ["--regexp", pattern, "--", display_path(root, base)]
    pipe = subprocess.PIPE
    rg_run = subprocess.Popen(cmd, cwd=root, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe)
    # its output is read as it comes, keeping the first matches only; a timer stops it in time
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        rg_run.kill()

    timer = threading.Timer(SEARCH_TIMEOUT_SECONDS if timeout is None else timeout, stop)
    timer.start()
    first, problem, passed = First(key=lambda row: match_order(parse_row(row))), "", None
    try:
        for row in rg_run.stdout:
            path, null, rest = row.partition(b"\0")
            if not null or not rest[:1].isdigit():  # a notice, such as "binary file matches"
                continue
            # subtle: rg prints a file's lines together and in order, so once one of them is past
            # the first MAX_RESULTS, the rest are too: they are only counted (a million rows in 1 s)
            if path == passed:
                first.total += 1
            elif first.add(row):
                passed = path
        problem = decoded(rg_run.stderr.read()).strip()
    finally:
        timer.cancel()
        rg_run.kill()
        rg_run.wait()
        rg_run.stdout.close()
        rg_run.stderr.close()
    if rg_run.returncode == 2 and problem and not first.total:  # --no-messages leaves the fatal ones
        raise ToolError(f"grep failed for {pattern!r}: {problem}")
    return Found([parse_row(row) for row in first.first()], first.total, timed_out.is_set())


def parse_row(row: bytes) -> Match:
    """rg's `./path\\0line:text\\n` as a match, its text cut as `grep_python` cuts it."""
    path, _, rest = row.partition(b"\0")
    number, _, text = rest.partition(b":")
    text = text.removesuffix(b"\n").removesuffix(b"\r")
    return decoded(path.removeprefix(b"./")), int(number), decoded(text)[: MAX_MATCH_CHARS + 1]


def decoded(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def match_order(match: Match) -> tuple[list[str], int]:
    """Path by path (folder by folder, like `rg --sort path`), then line by line."""
    return match[0].split("/"), match[1]


def cut(text: str) -> str:
    return text if len(text) <= MAX_MATCH_CHARS else f"{text[:MAX_MATCH_CHARS]}... [line cut]"


def grep(args: GrepInput, ctx: ToolContext) -> ToolResult | str:
    """Search file contents for a regular expression (ripgrep syntax: no look-around or
    backreferences; `(?i)` for case-insensitive). Searches `path` (a file or folder, default the
    work dir), optionally only files matching `glob`. Returns `path:line:text`, at most 200 lines.
    Skips binary files, symlinks, .git, .venv, node_modules, __pycache__ and .harness. Stops after
    30 s, and says so."""
    root = ctx.workdir.resolve()
    check_pattern("grep pattern", args.pattern)
    check_pattern("glob", args.glob or "")
    base = resolve_in_workdir(ctx.workdir, args.path or ".")
    shown = display_path(root, base)
    try:
        kind = file_kind(base.stat().st_mode)
    except OSError:
        raise ToolError(f"Path not found: {shown}") from None
    if kind and kind != "a directory":  # rg would read a FIFO named explicitly until the timeout
        raise ToolError(f"{shown} is {kind}, not a regular file; grep searches files and folders.")
    search = grep_ripgrep if ripgrep_binary() else grep_python
    found = search(root, base, args.pattern, args.glob)
    where = f" in {shown}" if args.path else ""
    only = f" (files matching {args.glob})" if args.glob else ""
    stopped = f"grep stopped after {SEARCH_TIMEOUT_SECONDS:g}s, before it had searched everything"
    advice = "narrow the path or glob, or simplify the pattern (nested repeats like (a+)+ can take forever)"
    if not found.matches and found.stopped:
        raise ToolError(printable(f"No matches for {args.pattern}{where}{only} so far: {stopped}; {advice}."))
    if not found.matches:
        return printable(f"No matches for {args.pattern}{where}{only}")
    lines = [f"{path}:{n}:{cut(text)}" for path, n, text in found.matches]
    files: list[str | None] = [path for path, _, _ in found.matches]
    if found.total > len(found.matches):
        more = found.total - len(found.matches)
        lines.append(f"... and {more} more matching lines; narrow the pattern, path or glob.")
        files.append(None)
    if found.stopped:
        lines.append(f"({stopped}: there may be more; {advice}.)")
        files.append(None)
    # each line's file, for whoever filters it (s07)
    return ToolResult(printable("\n".join(lines)), files=files)


SEARCH_TOOLS: list[Tool] = [
    Tool("glob", description_of(glob), GlobInput, glob, kind="read", read_only=True, path_arg="path",
         tip="Find files with glob and search their contents with grep, rather than find or grep in bash."),
    Tool("grep", description_of(grep), GrepInput, grep, kind="read", read_only=True, path_arg="path"),
]
