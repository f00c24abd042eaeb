"""read_file, write_file and edit_file, called the way the loop calls them: through the registry."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from s02_tool_use.files import FILE_TOOLS
from s02_tool_use.search import SEARCH_TOOLS
from s02_tool_use.tools import ToolResult

OLD_MTIME_NS = 1_000_000_000 * 10**9


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return path


def untouched(path: Path, data: bytes) -> bool:
    return path.read_bytes() == data and path.stat().st_mtime_ns == OLD_MTIME_NS


# --- read_file ---------------------------------------------------------------------------------


def test_read_numbers_lines_like_cat_n(call, tmp_path):
    write(tmp_path / "a.py", "import os\n\nprint(os.getcwd())\n")
    result = call("read_file", path="a.py")
    assert result == ToolResult("     1\timport os\n     2\t\n     3\tprint(os.getcwd())")


def test_read_offset_and_limit_say_what_was_shown(call, tmp_path):
    write(tmp_path / "a.txt", "".join(f"line {n}\n" for n in range(1, 6)))
    result = call("read_file", path="a.txt", offset=2, limit=2)
    assert result.content == (
        "     2\tline 2\n     3\tline 3\n... (lines 2-3 of 5; call read_file with offset=4 to read more)"
    )
    assert call("read_file", path="a.txt", offset=4).content.endswith("     5\tline 5\n... (lines 4-5 of 5)")


def test_read_stops_at_2000_lines_and_cuts_long_lines(call, tmp_path):
    write(tmp_path / "big.txt", "x" * 2500 + "\n" + "".join(f"{n}\n" for n in range(2, 2501)))
    content = call("read_file", path="big.txt").content
    lines = content.split("\n")
    assert len(lines) == 2001
    assert lines[0] == "     1\t" + "x" * 2000 + "... [line cut at 2000 of 2500 chars]"
    assert lines[1999] == "  2000\t2000"
    assert lines[-1] == "... (lines 1-2000 of 2500; call read_file with offset=2001 to read more)"


def test_read_offset_past_the_end(call, tmp_path):
    write(tmp_path / "a.txt", "1\n2\n3\n")
    result = call("read_file", path="a.txt", offset=10)
    assert result == ToolResult("offset 10 is past the end of a.txt, which has 3 lines.", is_error=True)


@pytest.mark.parametrize(
    ("setup", "path", "message"),
    [
        (None, "nope.txt", "File not found: nope.txt"),
        (None, "src/", "src is a directory, not a file; use glob with path='src' to list it."),
        (
            b"\x89PNG\r\n\x00\x00data",
            "img.png",
            "img.png looks like a binary file (12 bytes); read_file only reads text.",
        ),
    ],
)
def test_read_refuses_what_is_not_a_text_file(call, tmp_path, setup, path, message):
    (tmp_path / "src").mkdir()
    if setup:
        write(tmp_path / path, setup)
    assert call("read_file", path=path) == ToolResult(message, is_error=True)


def test_read_empty_crlf_and_bad_utf8(call, tmp_path):
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "dos.txt", "one\r\ntwo\r\n")
    write(tmp_path / "latin1.txt", b"caf\xe9\n")
    assert call("read_file", path="empty.txt") == ToolResult("(empty file)")
    assert call("read_file", path="dos.txt").content == "     1\tone\n     2\ttwo"
    assert call("read_file", path="latin1.txt").content == "     1\tcaf\ufffd"


# --- write_file --------------------------------------------------------------------------------


def test_write_creates_parents_then_overwrites(call, tmp_path):
    result = call("write_file", path="a/b/c.py", content="x = 1\r\ny = 'é'\n")
    assert result == ToolResult("Created a/b/c.py: wrote 2 lines (16 bytes).")
    assert (tmp_path / "a/b/c.py").read_bytes() == "x = 1\r\ny = 'é'\n".encode()  # newlines as given
    assert (
        call("write_file", path="a/b/c.py", content="z").content
        == "Overwrote a/b/c.py: wrote 1 line (1 bytes)."
    )
    assert (tmp_path / "a/b/c.py").read_text() == "z"
    assert sorted(os.listdir(tmp_path / "a/b")) == ["c.py"]  # no temp file left behind


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_write_keeps_the_mode_of_an_existing_file_and_uses_the_umask_for_a_new_one(call, tmp_path):
    script = write(tmp_path / "run.sh", "#!/bin/sh\n")
    script.chmod(0o750)
    call("write_file", path="run.sh", content="#!/bin/sh\necho hi\n")
    assert script.stat().st_mode & 0o777 == 0o750
    umask = os.umask(0o022)
    try:
        call("write_file", path="new.txt", content="hi")
    finally:
        os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644


def test_write_to_a_directory_or_under_a_file_is_an_error(call, tmp_path):
    write(tmp_path / "file.txt", "x")
    (tmp_path / "dir").mkdir()
    assert call("write_file", path="dir", content="x") == ToolResult(
        "dir is a directory; write_file needs a file path.", is_error=True
    )
    result = call("write_file", path="file.txt/inner.txt", content="x")
    assert result.is_error and result.content.startswith("Could not write file.txt/inner.txt")


# --- edit_file ---------------------------------------------------------------------------------


def test_edit_replaces_once_and_shows_numbered_context(call, tmp_path):
    path = write(tmp_path / "m.py", "".join(f"line{n}\n" for n in range(1, 11)))
    result = call("edit_file", path="m.py", old_string="line5\n", new_string="five\nFIVE\n")
    assert result == ToolResult(
        "Edited m.py: replaced 1 occurrence. Lines 2-9 now read:\n"
        "     2\tline2\n     3\tline3\n     4\tline4\n     5\tfive\n"
        "     6\tFIVE\n     7\tline6\n     8\tline7\n     9\tline8"
    )
    assert path.read_text().count("\n") == 11


def test_edit_replace_all_and_crlf_kept(call, tmp_path):
    path = write(tmp_path / "m.txt", "a = 1\r\nb = a\r\n")
    result = call("edit_file", path="m.txt", old_string="a", new_string="alpha", replace_all=True)
    assert result.content.startswith("Edited m.txt: replaced 2 occurrences. Lines 1-2 now read:\n")
    assert path.read_bytes() == b"alpha = 1\r\nb = alpha\r\n"


@pytest.mark.parametrize(
    ("content", "edit", "message"),
    [
        ("x = 1\nx = 1\n", {"old_string": "x = 1", "new_string": "y"},
         "old_string occurs 2 times in m.py; add surrounding lines to make it unique, "
         "or set replace_all to true to replace all 2."),
        ("x = 1\n", {"old_string": "z", "new_string": "y"},
         "old_string was not found in m.py. Read the file again and copy the text exactly, whitespace included."),
        ("if a:\n\tb()\n", {"old_string": "if a:\n    b()", "new_string": "y"},
         "old_string was not found in m.py. It matches if whitespace is normalised: check indentation, tabs and line breaks."),
        ("a\r\nb\nc\n", {"old_string": "a\nb", "new_string": "y"},
         "old_string was not found in m.py. It matches if line endings are ignored: the file uses both CRLF (\\r\\n) "
         "and LF (\\n) line endings."),
        ("a\nb\n", {"old_string": "     1\ta\n     2\tb", "new_string": "y"},
         "old_string was not found in m.py. It matches without the line numbers: leave out read_file's number-and-tab prefix."),
        ("x\n", {"old_string": "x", "new_string": "x"},
         "old_string and new_string are the same; there is nothing to change."),
        ("x\n", {"old_string": "", "new_string": "y"},
         "old_string is empty; to write a whole file, use write_file."),
        (b"\x00\x01x", {"old_string": "x", "new_string": "y"},
         "m.py looks like a binary file (3 bytes); edit_file only edits text."),
        (b"caf\xe9 x", {"old_string": "x", "new_string": "y"},
         "m.py is not valid UTF-8; edit_file only edits UTF-8 text."),
    ],
    ids=["two_matches", "no_match", "whitespace_hint", "crlf_hint", "line_number_hint", "same", "empty",
         "binary", "not_utf8"],
)  # fmt: skip
def test_a_failed_edit_leaves_the_file_untouched(call, tmp_path, content, edit, message):
    path = write(tmp_path / "m.py", content)
    before = path.read_bytes()
    assert call("edit_file", path="m.py", **edit) == ToolResult(message, is_error=True)
    assert untouched(path, before)
    assert os.listdir(tmp_path) == ["m.py"]


def test_edit_missing_file_and_deleting_everything(call, tmp_path):
    assert call("edit_file", path="no.py", old_string="a", new_string="b") == ToolResult(
        "File not found: no.py", is_error=True
    )
    write(tmp_path / "m.py", "only\n")
    result = call("edit_file", path="m.py", old_string="only\n", new_string="")
    assert result == ToolResult("Edited m.py: replaced 1 occurrence. The file is now empty.")


# --- invalid input goes through the registry ------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "tool_input", "expected"),
    [
        ("read_file", {}, "Invalid input for read_file: path: Field required"),
        ("read_file", {"path": "a", "offset": "first"}, "Invalid input for read_file: offset: Input should be a valid integer"),
        ("read_file", {"path": "a", "limit": 0}, "Invalid input for read_file: limit: Input should be greater than or equal to 1"),
        ("read_file", {"file_path": "a"}, "Invalid input for read_file: path: Field required; file_path: Extra inputs"),
        ("write_file", {"path": "a", "content": 42}, "Invalid input for write_file: content: Input should be a valid string"),
        ("edit_file", {"path": "a", "old_string": "x"}, "Invalid input for edit_file: new_string: Field required"),
        ("edit_file", {"path": "a", "old_string": "x", "new_string": "y", "replace_all": "maybe"},
         "Invalid input for edit_file: replace_all: Input should be a valid boolean"),
    ],
)  # fmt: skip
def test_invalid_input_names_the_field(call, tool, tool_input, expected):
    result = call(tool, **tool_input)
    assert result.is_error
    assert result.content.startswith(expected)


def test_specs_are_valid_tool_definitions():
    for tool in FILE_TOOLS + SEARCH_TOOLS:
        spec = tool.spec()
        assert spec["input_schema"]["type"] == "object"
        assert "\n" not in spec["description"] and len(spec["description"]) < 600
        assert all("description" in p for p in spec["input_schema"]["properties"].values())


def test_the_user_sees_an_edit_as_a_diff_and_the_model_its_lines(tmp_path):
    from s01_agent_loop.cli.testing import RecordingView
    from s01_agent_loop.scripted import ScriptedModel, text, tool_use
    from s02_tool_use import Harness
    from s02_tool_use.wiring import TOOLS

    (tmp_path / "a.py").write_text("x = 1\ny = 2\n", encoding="utf-8")
    view = RecordingView()
    model = ScriptedModel([tool_use("edit_file", path="a.py", old_string="y = 2", new_string="y = 3"),
                           tool_use("write_file", path="a.py", content="z = 0\n"), text("ok")])
    Harness(model, _config(), tmp_path, view, tools=TOOLS).run("edit")
    edit, write = [item.plain for item in view.items]
    assert edit.splitlines() == ["--- a/a.py", "+++ b/a.py", "@@ -1,2 +1,2 @@", " x = 1", "-y = 2", "+y = 3"]
    assert "-x = 1" in write and "+z = 0" in write
    assert "Lines 1-2 now read" in model.calls[1]["messages"][-1]["content"][0]["content"]


def _config():
    from s01_agent_loop import AgentConfig

    return AgentConfig(model="m")
