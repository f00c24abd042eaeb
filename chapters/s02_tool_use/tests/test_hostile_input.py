"""Input that used to hang, exhaust memory or crash the file and search tools; one block per class.

Every case must come back as a result or a clear `ToolError` within a couple of seconds.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import re
import socket
import stat
import sys
import threading
import time
import tracemalloc
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Harness, reading, search
from s02_tool_use.files import FILE_TOOLS, skip_lines, split_lines, text_lines
from s02_tool_use.paths import glob_to_regex
from s02_tool_use.search import SEARCH_TOOLS, grep_python, grep_ripgrep
from s02_tool_use.tools import ToolResult

HAVE_RG = search.ripgrep_binary() is not None
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets and file names as bytes are POSIX")




def within(seconds: float, fn, *args, **kwargs):
    """`fn(...)`, failing the test (not hanging it) if it takes longer than `seconds`."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(fn(*args, **kwargs)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, f"still running after {seconds}s"
    return out[0]


def encodable(result: ToolResult) -> ToolResult:
    result.content.encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
    return result


# --- 1. a catastrophic regex in the Python search -------------------------------------------------

CATASTROPHIC = "(a+)+$"


def test_the_python_search_stops_at_its_deadline(tmp_path):
    (tmp_path / "slow.txt").write_text("a" * 40 + "!\n")
    started = time.monotonic()
    found = grep_python(tmp_path, tmp_path, CATASTROPHIC, timeout=0.5)
    assert time.monotonic() - started < 3
    assert found == search.Found([], 0, stopped=True)


def test_grep_says_the_deadline_stopped_it(call, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "ripgrep_binary", lambda: None)
    monkeypatch.setattr(search, "SEARCH_TIMEOUT_SECONDS", 0.5)
    (tmp_path / "slow.txt").write_text("a" * 40 + "!\n")
    assert within(5, call, "grep", pattern=CATASTROPHIC) == ToolResult(
        "No matches for (a+)+$ so far: grep stopped after 0.5s, before it had searched everything; narrow "
        "the path or glob, or simplify the pattern (nested repeats like (a+)+ can take forever).",
        is_error=True,
    )


def test_what_was_found_before_the_deadline_is_kept(call, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "ripgrep_binary", lambda: None)
    monkeypatch.setattr(search, "SEARCH_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(search, "REPORT_SECONDS", 0)
    (tmp_path / "hit.txt").write_text("a\n")  # a file at the top is searched before any folder's
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "slow.txt").write_text("a" * 40 + "!\n")
    result = within(5, call, "grep", pattern="^a$|" + CATASTROPHIC)
    assert result.content.split("\n") == [
        "hit.txt:1:a",
        "(grep stopped after 0.5s, before it had searched everything: there may be more; narrow the path or "
        "glob, or simplify the pattern (nested repeats like (a+)+ can take forever).)",
    ]
    assert result.files == ["hit.txt", None] and not result.is_error


@pytest.mark.parametrize(
    ("tool", "tool_input", "what"),
    [
        ("grep", {"pattern": "a" * 1001}, "grep pattern"),
        ("grep", {"pattern": "a", "glob": "*" * 1001}, "glob"),
        ("glob", {"pattern": "a" * 1001}, "glob pattern"),
    ],
)
def test_absurdly_long_patterns_are_refused(call, tmp_path, backend, tool, tool_input, what):
    assert call(tool, **tool_input) == ToolResult(
        f"The {what} is 1,001 characters long; the limit is 1,000. Search for a shorter, distinctive part "
        "of the text.",
        is_error=True,
    )


@pytest.mark.skipif(not HAVE_RG, reason="ripgrep (rg) is not installed")
@POSIX
@pytest.mark.parametrize("pattern", ["foo", "é", "^x+ foo$", "zzz"])
def test_ripgrep_and_python_agree_on_long_lines_many_matches_and_bad_names(tmp_path, pattern):
    (tmp_path / "long.txt").write_text("foo " + "é" * 3000 + "\n" + "x" * 5000 + " foo\n", encoding="utf-8")
    (tmp_path / "many.txt").write_text("foo\n" * 1500)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.txt").write_text("foo é\n" * 700)
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xffname.txt"), "wb") as f:
        f.write(b"foo in a badly named file\n")
    python = grep_python(tmp_path, tmp_path, pattern)
    assert python == grep_ripgrep(tmp_path, tmp_path, pattern)
    if pattern == "foo":
        assert python.total == 2 + 1500 + 700 + 1 and len(python.matches) == search.MAX_RESULTS
        assert python.matches[0] == ("bad\ufffdname.txt", 1, "foo in a badly named file")
        assert python.matches[1] == ("long.txt", 1, "foo " + "é" * (search.MAX_MATCH_CHARS - 3))


# --- 2. globs that backtrack, and walks without end -----------------------------------------------


def test_many_stars_match_in_linear_time(call, tmp_path):
    (tmp_path / ("a" * 40)).write_text("")
    (tmp_path / ("a" * 12 + "b")).write_text("")
    started = time.monotonic()
    assert glob_to_regex("*a" * 30 + "*b").fullmatch("a" * 200) is None
    assert call("glob", pattern="*a" * 12 + "*b") == ToolResult("a" * 12 + "b")
    assert time.monotonic() - started < 1


def reference(pattern: str, name: str) -> bool:
    """The glob rules matched the slow, obvious way (no braces or classes): `*` any run of
    characters but `/`, `?` one of them, `**` as a whole name any folders, elsewhere a `*`."""

    @cache
    def match(i: int, j: int) -> bool:  # pattern[i:] against name[j:]
        if i == len(pattern):
            return j == len(name)
        if pattern[i] == "*":
            k = i
            while k < len(pattern) and pattern[k] == "*":
                k += 1
            whole = k - i >= 2 and pattern[i - 1 : i] in ("", "/") and pattern[k : k + 1] in ("", "/")
            if whole and k == len(pattern):  # a trailing `**`: anything at all
                return True
            if whole:  # `**/`: no folder, or any folders
                return match(k + 1, j) or any(match(k + 1, m + 1) for m in range(j, len(name)) if name[m] == "/")
            return any(match(k, m) for m in range(j, len(name) + 1) if "/" not in name[j:m])
        if j == len(name):
            return False
        if pattern[i] == "?":
            return name[j] != "/" and match(i + 1, j + 1)
        return pattern[i] == name[j] and match(i + 1, j + 1)

    return match(0, 0)


def test_glob_to_regex_agrees_with_the_obvious_matcher():
    rng = random.Random(2)
    for _ in range(1500):
        pattern = "".join(rng.choice(["*", "**", "a", "b", "/", "?", "**/", "/**"]) for _ in range(rng.randint(1, 7)))
        regex = glob_to_regex(pattern)
        for _ in range(10):
            name = "".join(rng.choice("ab/") for _ in range(rng.randint(0, 8)))
            assert bool(regex.fullmatch(name)) == reference(pattern, name), (pattern, name, regex.pattern)


def test_a_brace_bomb_is_refused(call):
    assert call("glob", pattern="{a,b}" * 8) == ToolResult(
        "Glob '" + "{a,b}" * 8 + "' has more than 100 alternatives; use fewer braces.", is_error=True
    )


def test_glob_stops_at_the_file_bound_and_says_so(call, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "GLOB_MAX_FILES", 3)
    for n in range(5):
        (tmp_path / f"f{n}.txt").write_text("")
    result = call("glob", pattern="*.txt")
    *found, note = result.content.split("\n")
    assert len(found) == 3 and all(re.fullmatch(r"f\d\.txt", line) for line in found)
    assert note == ("(glob stopped after 3 files, before it had seen every file: there may be more; narrow "
                    "the path or the pattern.)")  # fmt: skip
    assert result.files == [*found, None]
    assert call("glob", pattern="*.rs") == ToolResult(
        "No files match *.rs so far: glob stopped after 3 files, before it had seen every file. Narrow the "
        "path or the pattern.",
        is_error=True,
    )


def test_glob_stops_at_the_time_bound_and_says_so(call, tmp_path, monkeypatch):
    clock = itertools.count(0, 10)  # each look at the clock is 10 s later: the bound (30 s) after 3 files
    monkeypatch.setattr(search, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    for n in range(5):
        (tmp_path / f"f{n}.txt").write_text("")
    lines = call("glob", pattern="*.txt").content.split("\n")
    assert len(lines) == 4
    assert lines[-1].startswith("(glob stopped after 30s, before it had seen every file")


# --- 3. FIFOs, sockets and devices ----------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe")
    return tmp_path / "pipe"


@POSIX
@pytest.mark.parametrize(
    ("tool", "tool_input", "message"),
    [
        ("read_file", {}, "pipe is a FIFO, not a regular file; read_file only reads text."),
        ("edit_file", {"old_string": "a", "new_string": "b"}, "pipe is a FIFO, not a regular file; edit_file only edits text."),
        ("write_file", {"content": "x"}, "pipe is a FIFO, not a regular file; write_file only writes regular files."),
        ("grep", {"pattern": "x"}, "pipe is a FIFO, not a regular file; grep searches files and folders."),
    ],
)  # fmt: skip
def test_a_fifo_is_refused_not_waited_on(call, fifo, tool, tool_input, message):
    assert within(5, call, tool, path="pipe", **tool_input) == ToolResult(message, is_error=True)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # write_file did not replace it either


@POSIX
def test_grep_and_glob_skip_a_fifo_in_a_folder(call, fifo, backend):
    (fifo.parent / "a.txt").write_text("x\n")
    assert within(5, call, "grep", pattern="x") == ToolResult("a.txt:1:x")
    assert within(5, call, "glob", pattern="*") == ToolResult("a.txt")


@POSIX
def test_a_socket_and_a_device_are_refused(call, tmp_path):
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "sock"))
        assert call("read_file", path="sock") == ToolResult(
            "sock is a socket, not a regular file; read_file only reads text.", is_error=True
        )
    finally:
        server.close()
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # like /dev/null
    except (PermissionError, AttributeError):
        pytest.skip("cannot make a device node here")
    assert within(5, call, "read_file", path="null") == ToolResult(
        "null is a character device, not a regular file; read_file only reads text.", is_error=True
    )


# --- 4. big files -------------------------------------------------------------------------------


def peak_memory(fn, *args, **kwargs):
    """`fn(...)`'s result and the most memory Python held during the call, in MB."""
    tracemalloc.start()
    try:
        result = fn(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_read_file_streams_a_big_file(call, tmp_path):
    lines = 1_000_000
    with open(tmp_path / "big.txt", "w") as f:
        f.writelines(f"line {n} of a file that is bigger than one wants in memory\n" for n in range(1, lines + 1))
    assert (tmp_path / "big.txt").stat().st_size > 50 * 2**20
    result, peak = peak_memory(call, "read_file", path="big.txt", offset=lines - 1, limit=5)
    assert result.content == (
        f"{lines - 1:>6}\tline {lines - 1} of a file that is bigger than one wants in memory\n"
        f"{lines:>6}\tline {lines} of a file that is bigger than one wants in memory\n"
        f"... (lines {lines - 1}-{lines} of {lines})"
    )
    assert peak < 8
    result, peak = peak_memory(call, "read_file", path="big.txt", limit=2)
    assert result.content.endswith(f"... (lines 1-2 of {lines}; call read_file with offset=3 to read more)")
    assert peak < 8


def test_read_file_streams_one_huge_line(call, tmp_path):
    (tmp_path / "one.txt").write_bytes(b"y" * 20_000_000 + b"\r\nsecond")
    result, peak = peak_memory(call, "read_file", path="one.txt")
    assert result.content == "     1\t" + "y" * 2000 + "... [line cut at 2000 of 20000000 chars]\n     2\tsecond"
    assert peak < 8


def test_lines_read_in_tiny_pieces_are_the_lines_of_the_whole_text(monkeypatch):
    """Pieces of 3 bytes cut every `\\r\\n` and every UTF-8 character somewhere; nothing changes."""
    monkeypatch.setattr(reading, "LINE_PIECE_BYTES", 3)
    rng = random.Random(4)
    for _ in range(400):
        data = b"".join(rng.choice([b"a", b"\r", b"\n", b"\r\n", "é".encode(), "€".encode(), b"\xff", b"\xe2\x82"])
                        for _ in range(rng.randint(0, 12)))  # fmt: skip
        expected = split_lines(data.decode("utf-8", "replace"))
        got = list(text_lines(io.BytesIO(data), keep=4, search=re.compile("é|€").search))
        assert got == [(line[:4], len(line), "é" in line or "€" in line) for line in expected], data
        assert skip_lines(io.BytesIO(data)) == len(expected)
        k = rng.randint(0, len(expected))
        f = io.BytesIO(data)
        assert skip_lines(f, k) == k
        assert [head for head, _, _ in text_lines(f, keep=99)] == expected[k:], (data, k)


def test_edit_file_refuses_a_file_over_its_bound(call, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x\n" * (5 * 2**20 + 1))
    assert call("edit_file", path="big.txt", old_string="y", new_string="z") == ToolResult(
        "big.txt is 10,485,762 bytes, too large for edit_file (the limit is 10 MB); use bash (sed) or "
        "write_file.",
        is_error=True,
    )
    assert "Files over 10 MB are refused." in next(t for t in FILE_TOOLS if t.name == "edit_file").description


# --- 5. line endings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "old", "new", "after"),
    [
        (b"a\r\nb\r\nc\r\n", "a\nb", "x\ny\nz", b"x\r\ny\r\nz\r\nc\r\n"),  # LF strings, CRLF file
        (b"a\r\nb\r\nc\r\n", "b\r\n", "B1\nB2\n", b"a\r\nB1\r\nB2\r\nc\r\n"),  # old as in the file, new in LF
        (b"a\nb\n", "a", "x\r\ny", b"x\ny\nb\n"),  # CRLF in new, LF file
        (b"a\r\nb\nc\nd\n", "a\r\nb", "z", b"z\nc\nd\n"),  # mixed: the strings as given match
    ],
)
def test_edit_writes_in_the_files_own_line_ending(call, tmp_path, before, old, new, after):
    (tmp_path / "m.txt").write_bytes(before)
    assert not call("edit_file", path="m.txt", old_string=old, new_string=new).is_error
    assert (tmp_path / "m.txt").read_bytes() == after


# --- 6. text that UTF-8 cannot encode -----------------------------------------------------------


def test_a_lone_surrogate_in_content_is_written_as_a_question_mark(call, tmp_path):
    assert encodable(call("write_file", path="s.txt", content="a\ud800b\n")) == ToolResult(
        "Created s.txt: wrote 1 line (4 bytes). 1 character UTF-8 cannot encode (lone surrogates) became '?'."
    )
    assert (tmp_path / "s.txt").read_bytes() == b"a?b\n"
    result = encodable(call("edit_file", path="s.txt", old_string="b", new_string="\ud800\ud801"))
    assert result.content == "Edited s.txt: replaced 1 occurrence. Lines 1-1 now read:\n     1\ta?\ufffd\ufffd"
    assert (tmp_path / "s.txt").read_bytes() == b"a???\n"


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [
        ("read_file", {"path": "x\ud800.txt"}),
        ("write_file", {"path": "x\ud800.txt", "content": "x"}),
        ("edit_file", {"path": "x\ud800.txt", "old_string": "a", "new_string": "b"}),
        ("glob", {"pattern": "*", "path": "x\ud800"}),
        ("glob", {"pattern": "\ud800*"}),
        ("grep", {"pattern": "\ud800"}),
        ("grep", {"pattern": "x", "glob": "\ud800"}),
        ("grep", {"pattern": "x", "path": "\ud800"}),
    ],
)
def test_a_lone_surrogate_in_a_path_or_pattern_is_a_clear_error(call, tmp_path, backend, tool, tool_input):
    result = encodable(call(tool, **tool_input))
    assert result.is_error
    assert re.search(r"Invalid path|lone surrogate", result.content), result.content
    assert os.listdir(tmp_path) == []


@POSIX
def test_a_file_name_that_is_not_utf8_is_shown_with_replacement_characters(call, tmp_path, backend):
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as f:
        f.write(b"menu\n")
    assert encodable(call("glob", pattern="*.txt")) == ToolResult("caf\ufffd.txt")
    assert encodable(call("grep", pattern="menu")) == ToolResult("caf\ufffd.txt:1:menu")
    assert call("glob", pattern="*.txt").files == ["caf\ufffd.txt"]


def test_a_session_with_lone_surrogates_goes_on_to_its_end(tmp_path):
    model = ScriptedModel([
        tool_use("write_file", path="s.txt", content="x\ud800"),
        tool_use("read_file", path="s\ud800.txt"),
        tool_use("glob", pattern="*"),
        text("done"),
    ])  # fmt: skip
    agent = Harness(model, AgentConfig(model="claude-test"), tmp_path, tools=[*FILE_TOOLS, *SEARCH_TOOLS])
    assert agent.run("write it") == "done"
    model.assert_done()
    for message in agent.messages:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "tool_result":
                block["content"].encode("utf-8")
