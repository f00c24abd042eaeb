"""Large tool output goes to a file; the conversation gets a preview and the path.

A 30,000-character log costs ~7,500 tokens, not once but on every later request of the session,
and the model rarely needs more than its start, its end and a few lines it can grep for. So an
output over the threshold is written to `.harness/tool-outputs/<tool_use id>.txt` and the
tool_result holds its first and last lines, the file's path and how to read the rest, in the
form Claude Code uses (`<persisted-output>`):

    <persisted-output>
    Output too large (26.1KB). Full output saved to: .harness/tool-outputs/toolu_01.txt

    Preview (lines 1-31 and 402-414 of 414):
    ...the first lines...
    [... 370 lines not shown ...]
    ...the last lines...

    Read the rest with read_file(path=".harness/tool-outputs/toolu_01.txt", offset=N, limit=M) or grep it ...
    </persisted-output>
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from s02_tool_use.files import write_atomic
from s02_tool_use.state import state_path

HEAD_CHARS = 2_000
TAIL_CHARS = 800


def spill(workdir: Path, tool_use_id: str, output: str) -> str:
    """Save `output` under `.harness/tool-outputs/` (atomically) and return the preview that replaces it."""
    path = output_path(workdir, tool_use_id)
    write_atomic(path, output)
    return preview(output, path.relative_to(workdir).as_posix())


def spill_file(workdir: Path, tool_use_id: str, whole: Path) -> str:
    """Keep a tool's file of its whole output (s01's shell streams every byte into one) under
    `.harness/tool-outputs/`, and return the preview: all that was printed reaches the file, not
    just the head and tail the tool returned, and it is never read whole into memory."""
    path = output_path(workdir, tool_use_id)
    shutil.move(whole, path)  # subtle: a rename on the same disk; a copy (streamed) across disks
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(4 * HEAD_CHARS).decode("utf-8", errors="replace")
        file.seek(max(0, size - 4 * TAIL_CHARS))
        tail = file.read().decode("utf-8", errors="replace")
        file.seek(0)
        n_lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
    n_lines += not (tail.endswith("\n") or size == 0)
    return preview(head, path.relative_to(workdir).as_posix(), tail=tail, n_lines=n_lines, n_bytes=size)


def output_path(workdir: Path, tool_use_id: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", tool_use_id) or "output"
    return state_path(workdir, "tool-outputs", f"{name}.txt")


def preview(output: str, shown: str, head_chars: int = HEAD_CHARS, tail_chars: int = TAIL_CHARS, *,
            tail: str | None = None, n_lines: int | None = None, n_bytes: int | None = None) -> str:
    """The head and the tail of `output`, cut at line ends, with the path and how to read the rest.
    For a file too big to hold, `output` is its start, `tail` its end, with its line and byte counts."""
    if tail is not None:
        return file_preview(output, tail, shown, n_lines, n_bytes, head_chars, tail_chars)
    lines = output.splitlines()
    # 1. whole lines from the start while they fit in head_chars (at least one, cut if it is huge)
    head, used = [], 0
    for line in lines:
        if head and used + len(line) + 1 > head_chars:
            break
        head.append(line[:head_chars])
        used += len(line) + 1
    # 2. whole lines from the end in the same way, never overlapping the head
    tail, used = [], 0
    for line in reversed(lines[len(head) :]):
        if tail and used + len(line) + 1 > tail_chars:
            break
        tail.insert(0, line[-tail_chars:])
        used += len(line) + 1
    hidden = len(lines) - len(head) - len(tail)
    shown_lines = f"lines 1-{len(head):,}" + (f" and {len(lines) - len(tail) + 1:,}-{len(lines):,}" if tail else "")
    parts = [
        "<persisted-output>",
        f"Output too large ({size(output)}). Full output saved to: {shown}",
        "",
        f"Preview ({shown_lines} of {len(lines):,}):",
        *head,
        *([f"[... {hidden:,} lines not shown ...]"] if hidden else []),
        *tail,
        "",
        f'Read the rest with read_file(path="{shown}", offset=N, limit=M) or grep it, '
        "rather than running the command again.",
        "</persisted-output>",
    ]
    return "\n".join(parts)


def file_preview(head: str, tail: str, shown: str, n_lines: int, n_bytes: int, head_chars: int,
                 tail_chars: int) -> str:
    """`preview` for a file read only at its two ends."""
    head_lines = head.splitlines()[:-1] or head.splitlines()  # the last one may be cut by the read
    kept, used = [], 0
    for line in head_lines:
        if kept and used + len(line) + 1 > head_chars:
            break
        kept.append(line[:head_chars])
        used += len(line) + 1
    tail_lines = tail.splitlines()[1:] or tail.splitlines()
    ends, used = [], 0
    for line in reversed(tail_lines):
        if ends and used + len(line) + 1 > tail_chars:
            break
        ends.insert(0, line[-tail_chars:])
        used += len(line) + 1
    hidden = max(0, n_lines - len(kept) - len(ends))
    return "\n".join([
        "<persisted-output>",
        f"Output too large ({size_of(n_bytes)}). Full output saved to: {shown}",
        "",
        f"Preview (lines 1-{len(kept):,} and {n_lines - len(ends) + 1:,}-{n_lines:,} of {n_lines:,}):",
        *kept, f"[... {hidden:,} lines not shown ...]", *ends,
        "",
        f'Read the rest with read_file(path="{shown}", offset=N, limit=M) or grep it, '
        "rather than running the command again.",
        "</persisted-output>",
    ])


def size(text: str) -> str:
    """The UTF-8 size of `text` the way Claude Code says it: `812B`, `26.1KB`, `4.8MB`."""
    return size_of(len(text.encode("utf-8")))


def size_of(n: int) -> str:
    return f"{n}B" if n < 1000 else f"{n / 1000:.1f}KB" if n < 1_000_000 else f"{n / 1_000_000:.1f}MB"
