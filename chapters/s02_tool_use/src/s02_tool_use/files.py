"""The file tools: `read_file`, `write_file` and `edit_file`.

In s01 the model read and changed files through `bash` (`cat`, `sed -i`, heredocs): easy to get
wrong, hard to check. Here each job gets its own tool with a typed input, the paths are confined
to the work dir (`paths.py`), and every failure comes back as a message that says what to do next.
Each tool's docstring is the description the model reads.

The file the model names can be anything, so only regular files are opened (a FIFO would block a
reader forever), and none is read whole: read_file decodes only the lines it returns and counts
the rest (`skip_lines`, `text_lines`, flat memory for a 200 MB file), edit_file refuses files over
MAX_EDIT_BYTES.
"""

from __future__ import annotations

import inspect
import itertools
import os
import re
import secrets
import stat
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from s02_tool_use.diffs import MAX_DIFF_CHARS, show_diff
from s02_tool_use.paths import LONE_SURROGATE, display_path, printable, resolve_in_workdir
from s02_tool_use.reading import (  # noqa: F401 - BINARY_SNIFF_BYTES and the readers are used by others too
    BINARY_SNIFF_BYTES,
    MAX_LINE_CHARS,
    cut_line,
    file_kind,
    number_lines,
    open_regular,
    open_text_file,
    skip_lines,
    split_lines,
    text_lines,
)
from s02_tool_use.tools import Tool, ToolContext, ToolError

MAX_LINES = 2000
MAX_EDIT_BYTES = 10 * 1024 * 1024
"""edit_file holds a file three or four times over (bytes, text, the edited text); past 10 MB it refuses."""
EDIT_CONTEXT_LINES = 3
EDIT_SNIPPET_MAX_LINES = 30


class ReadFileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="The file to read, relative to the work dir.")
    offset: int = Field(1, ge=1, description="The 1-based number of the first line to read.")
    limit: int = Field(MAX_LINES, ge=1, description="How many lines to read.")


class WriteFileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="The file to write, relative to the work dir.")
    content: str = Field(description="The complete new content of the file.")


class EditFileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="The file to edit, relative to the work dir.")
    old_string: str = Field(description="The exact text to replace, as it is in the file.")
    new_string: str = Field(description="The text to put in its place.")
    replace_all: bool = Field(False, description="Replace every occurrence, not just a unique one.")


def write_atomic(target: Path, text: str) -> None:
    """Write `text` as UTF-8, as given (no newline translation), to a temp file, then `os.replace`
    it: a reader sees the old file or the new one, never half of one. A character UTF-8 cannot
    encode (a lone surrogate such as "\\ud800", which JSON lets through) is written as `?`."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    old_mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    try:
        # subtle: os.open with 0o666 lets the umask decide a new file's mode, as open() would;
        # tempfile.mkstemp would make every new file private (0o600)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with open(fd, "w", encoding="utf-8", errors="replace", newline="") as f:
            f.write(text)
        if old_mode is not None:
            os.chmod(tmp, old_mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def in_line_ending(text: str, ending: str) -> str:
    """`text` with each `\\n` or `\\r\\n` written as `ending`."""
    return text.replace("\r\n", "\n").replace("\n", ending)


def near_miss_hint(text: str, old: str) -> str:
    """Why `old` was not found, when we can tell: line-number prefixes, line endings, whitespace."""
    without_numbers = re.sub(r"(?m)^ *\d+\t", "", old)
    if without_numbers != old and without_numbers in text:
        return " It matches without the line numbers: leave out read_file's number-and-tab prefix."
    if old.replace("\r\n", "\n") in text.replace("\r\n", "\n"):
        crlf, lf = text.count("\r\n"), text.count("\n") - text.count("\r\n")
        endings = "CRLF (\\r\\n)" if crlf else "LF (\\n)"
        endings = "both CRLF (\\r\\n) and LF (\\n)" if crlf and lf else endings
        return f" It matches if line endings are ignored: the file uses {endings} line endings."
    if " ".join(old.split()) in " ".join(text.split()):
        return " It matches if whitespace is normalised: check indentation, tabs and line breaks."
    return " Read the file again and copy the text exactly, whitespace included."


# ---------------------------------------------------------------------------------------------


def read_file(args: ReadFileInput, ctx: ToolContext) -> str:
    """Read a text file in the work dir. Returns numbered lines like `cat -n`: the line number,
    a tab, then the line; the number and tab are not part of the file. Reads at most 2000 lines
    from `offset` (lines longer than 2000 characters are cut); page through bigger files with
    `offset` and `limit`."""
    _, shown, f, _ = open_text_file(ctx, args.path, "read_file only reads text.")
    with f:
        if not f.read(1):
            return "(empty file)"
        f.seek(0)
        # 1. pass the lines before `offset` without decoding them
        skipped = skip_lines(f, args.offset - 1)
        # 2. decode only the lines we show, each cut while it is read
        lines = list(itertools.islice(text_lines(f, MAX_LINE_CHARS), min(args.limit, MAX_LINES)))
        # 3. count the rest, again without decoding: a 200 MB file costs a few MB of memory
        total = skipped + len(lines) + (skip_lines(f) if lines else 0)
    if not lines:
        raise ToolError(f"offset {args.offset} is past the end of {shown}, which has {total} lines.")
    first, last = args.offset, args.offset + len(lines) - 1
    body = printable(number_lines((cut_line(head, length) for head, length, _ in lines), first))
    if first == 1 and last == total:
        return body
    more = f"; call read_file with offset={last + 1} to read more" if last < total else ""
    return f"{body}\n... (lines {first}-{last} of {total}{more})"


def write_file(args: WriteFileInput, ctx: ToolContext) -> str:
    """Create or overwrite a text file in the work dir with `content`, exactly as given (UTF-8).
    Creates missing parent folders. To change part of an existing file, prefer edit_file."""
    target = resolve_in_workdir(ctx.workdir, args.path)
    shown = display_path(ctx.workdir, target)
    try:
        info = target.stat()
        existed, kind = True, file_kind(info.st_mode)
    except OSError:  # not there yet (or under a file: the write below says so)
        existed, kind, info = False, None, None
    if kind == "a directory":
        raise ToolError(f"{shown} is a directory; write_file needs a file path.")
    if kind:
        raise ToolError(f"{shown} is {kind}, not a regular file; write_file only writes regular files.")
    before = ""  # for the user's diff: what the file held, if it is small enough to show
    if existed and info.st_size <= MAX_DIFF_CHARS:
        before = target.read_text(encoding="utf-8", errors="replace")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, args.content)
    except (OSError, ValueError) as e:
        raise ToolError(printable(f"Could not write {shown}: {e}")) from None
    n_lines, n_bytes = len(split_lines(args.content)), len(args.content.encode("utf-8", "replace"))
    lines = f"{n_lines} line{'s' * (n_lines != 1)}"
    done = f"{'Overwrote' if existed else 'Created'} {shown}: wrote {lines} ({n_bytes} bytes)."
    if n_bad := len(LONE_SURROGATE.findall(args.content)):
        done += f" {n_bad} character{'s' * (n_bad != 1)} UTF-8 cannot encode (lone surrogates) became '?'."
    show_diff(ctx, shown, before, args.content)
    return done


def edit_file(args: EditFileInput, ctx: ToolContext) -> str:
    """Replace exact text in a file in the work dir. `old_string` must match the file exactly,
    whitespace included and without read_file's line-number prefix, and must occur exactly once
    unless `replace_all` is true (include a few surrounding lines to make it unique). Read the
    file first. Files over 10 MB are refused. Returns the edited lines with their numbers."""
    old, new = args.old_string, args.new_string
    if not old:
        raise ToolError("old_string is empty; to write a whole file, use write_file.")
    if old == new:
        raise ToolError("old_string and new_string are the same; there is nothing to change.")
    target, shown, f, size = open_text_file(ctx, args.path, "edit_file only edits text.")
    with f:
        data = f.read(MAX_EDIT_BYTES + 1) if size <= MAX_EDIT_BYTES else b""
    if size > MAX_EDIT_BYTES or len(data) > MAX_EDIT_BYTES:
        raise ToolError(f"{shown} is {max(size, len(data)):,} bytes, too large for edit_file (the limit is "
                        f"{MAX_EDIT_BYTES // 2**20} MB); use bash (sed) or write_file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError(f"{shown} is not valid UTF-8; edit_file only edits UTF-8 text.") from None
    # match and write in the file's own line ending (CRLF if most of its lines end so), or as given
    # if only that matches (a file with mixed endings)
    ending = "\r\n" if 2 * text.count("\r\n") > text.count("\n") else "\n"
    for old_x, new_x in ((in_line_ending(old, ending), in_line_ending(new, ending)), (old, new)):
        if old_x in text:
            old, new = old_x, new_x
            break
    count = text.count(old)
    if count == 0:
        raise ToolError(printable(f"old_string was not found in {shown}.{near_miss_hint(text, old)}"))
    if count > 1 and not args.replace_all:
        fix = f"add surrounding lines to make it unique, or set replace_all to true to replace all {count}"
        raise ToolError(f"old_string occurs {count} times in {shown}; {fix}.")
    first_at = text.index(old)
    new_text = text.replace(old, new, -1 if args.replace_all else 1)
    try:
        write_atomic(target, new_text)
    except OSError as e:
        raise ToolError(f"Could not write {shown}: {e}") from None
    show_diff(ctx, shown, text, new_text)
    # show the model the first edit with a few lines around it, numbered as read_file would
    n = count if args.replace_all else 1
    done = f"Edited {shown}: replaced {n} occurrence{'s' if n > 1 else ''}."
    lines = split_lines(new_text)
    if not lines:
        return f"{done} The file is now empty."
    start = new_text.count("\n", 0, first_at) + 1
    end = start + max(0, new.count("\n") - new.endswith("\n"))
    lo = max(1, start - EDIT_CONTEXT_LINES)
    hi = min(len(lines), end + EDIT_CONTEXT_LINES, lo + EDIT_SNIPPET_MAX_LINES - 1)
    snippet = number_lines(map(cut_line, lines[lo - 1 : hi]), lo)
    return printable(f"{done} Lines {lo}-{hi} now read:\n{snippet}")


def description_of(fn) -> str:
    """A tool function's docstring as one paragraph: the description the model reads."""
    return " ".join((inspect.getdoc(fn) or "").split())


FILE_TOOLS: list[Tool] = [
    Tool("read_file", description_of(read_file), ReadFileInput, read_file, kind="read", read_only=True,
         path_arg="path", tip="Read a file with read_file before you edit it; use offset and limit for long files."),
    Tool("write_file", description_of(write_file), WriteFileInput, write_file, kind="edit", path_arg="path"),
    Tool("edit_file", description_of(edit_file), EditFileInput, edit_file, kind="edit", path_arg="path",
         tip="Change files with edit_file (old_string must match exactly once); use write_file only for new "
             "files or complete rewrites."),
]
