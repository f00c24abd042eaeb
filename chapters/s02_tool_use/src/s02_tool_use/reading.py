"""Reading the files the model names, safely: regular files only, line by line, never whole.

The file the model names can be anything: a FIFO would block a reader forever, a device never
ends, a 200 MB log would fill memory. So only regular files are opened (`open_regular`), lines
are read one at a time and a long line in pieces (`text_lines`, `skip_lines`), and only what a
tool returns is decoded. s02's read_file, edit_file and grep's Python search all read this way.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from s02_tool_use.paths import display_path, resolve_in_workdir
from s02_tool_use.tools import ToolContext, ToolError

MAX_LINE_CHARS = 2000
BINARY_SNIFF_BYTES = 8192
LINE_PIECE_BYTES = 1024 * 1024
"""Files are read a line at a time, a long line in pieces of this size: memory stays flat."""


def split_lines(text: str) -> list[str]:
    """Lines split on `\\n` only (as editors and grep count them), without their `\\r`."""
    if not text:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def cut_line(line: str, length: int | None = None) -> str:
    """`line` cut at MAX_LINE_CHARS, saying how long it was (`length`, if `line` is only its head)."""
    length = len(line) if length is None else length
    if length <= MAX_LINE_CHARS:
        return line
    return f"{line[:MAX_LINE_CHARS]}... [line cut at {MAX_LINE_CHARS} of {length} chars]"


def number_lines(lines: Iterable[str], first: int) -> str:
    """`cat -n` style: the line number right-aligned in 6 columns, a tab, the line."""
    return "\n".join(f"{n:>6}\t{line}" for n, line in enumerate(lines, first))


# ---------------------------------------------------------------------------------------------


class NotRegularFile(OSError):
    """A FIFO, a socket or a device: reading one can block forever or never end."""


def file_kind(mode: int) -> str | None:
    """What a `st_mode` is, in words, unless it is a regular file (None)."""
    if stat.S_ISREG(mode):
        return None
    kinds = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
             stat.S_IFBLK: "a block device", stat.S_IFDIR: "a directory"}  # fmt: skip
    return kinds.get(stat.S_IFMT(mode), "not a regular file")


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file; else `NotRegularFile`."""
    if kind := file_kind(os.stat(path).st_mode):
        raise NotRegularFile(kind)
    # subtle: it is checked again once open, in case it changed in between; O_NONBLOCK keeps the open
    # itself from blocking on a FIFO put there meanwhile (it changes nothing for a regular file)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    if kind := file_kind(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile(kind)
    return os.fdopen(fd, "rb")


def open_text_file(ctx: ToolContext, path: str, only: str) -> tuple[Path, str, BinaryIO, int]:
    """The resolved path, its display form, the file open for reading and its size; refuses
    directories, FIFOs, sockets, devices and binary files."""
    target = resolve_in_workdir(ctx.workdir, path)
    shown = display_path(ctx.workdir, target)
    if target.is_dir():
        raise ToolError(f"{shown} is a directory, not a file; use glob with path={shown!r} to list it.")
    try:
        f = open_regular(target)
    except FileNotFoundError:
        raise ToolError(f"File not found: {shown}") from None
    except NotRegularFile as e:
        raise ToolError(f"{shown} is {e}, not a regular file; {only}") from None
    except OSError as e:
        raise ToolError(f"Cannot read {shown}: {e.strerror or e}") from None
    size = os.fstat(f.fileno()).st_size
    if b"\0" in f.read(BINARY_SNIFF_BYTES):
        f.close()
        raise ToolError(f"{shown} looks like a binary file ({size} bytes); {only}")
    f.seek(0)
    return target, shown, f, size


def text_lines(f: BinaryIO, keep: int, search=None) -> Iterator[tuple[str, int, bool]]:
    """Each line of the binary file `f`, from where it is: its first `keep` characters, its length
    in characters, and whether `search` finds something in it. Lines end at `\\n` (a `\\r` before it
    is dropped); bad UTF-8 becomes U+FFFD. Read in pieces of at most LINE_PIECE_BYTES, so a 200 MB
    line costs no more memory than a short one (subtle: `search` then sees it piece by piece)."""
    while piece := f.readline(LINE_PIECE_BYTES):
        if piece.endswith(b"\n"):  # the usual line: whole, in one piece
            text = piece[:-1].removesuffix(b"\r").decode("utf-8", "replace")
            yield text[:keep], len(text), search is not None and bool(search(text))
        else:
            yield long_line(f, piece, keep, search)


def long_line(f: BinaryIO, piece: bytes, keep: int, search) -> tuple[str, int, bool]:
    """`text_lines` for a line longer than one piece (or the last one, with no `\\n`)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    head, length, hit, carry = "", 0, False, b""
    while True:
        ended = not piece or piece.endswith(b"\n")
        raw, carry = carry + piece.removesuffix(b"\n"), b""
        if ended:
            raw = raw.removesuffix(b"\r")
        elif raw.endswith(b"\r"):  # subtle: it may be the `\r` of a `\r\n` cut between two pieces
            raw, carry = raw[:-1], b"\r"
        text = decoder.decode(raw, final=ended)  # a character cut between pieces waits in `decoder`
        length += len(text)
        if len(head) < keep:
            head += text[: keep - len(head)]
        hit = hit or (search is not None and (bool(text) or length == 0) and bool(search(text)))
        if ended:
            return head, length, hit
        piece = f.readline(LINE_PIECE_BYTES)


def skip_lines(f: BinaryIO, n: int | None = None) -> int:
    """Move `f` past its next `n` lines (all of them if None) without decoding them, counting `\\n`
    in chunks; returns how many it passed (a last line without `\\n` counts)."""
    passed, last = 0, b"\n"
    while n is None or passed < n:
        at = f.tell()
        chunk = f.read(LINE_PIECE_BYTES)
        if not chunk:
            return passed + (last != b"\n")
        found = chunk.count(b"\n")
        if n is not None and passed + found >= n:
            end = -1
            for _ in range(n - passed):
                end = chunk.index(b"\n", end + 1)
            f.seek(at + end + 1)
            return n
        passed, last = passed + found, chunk[-1:]
    return passed


