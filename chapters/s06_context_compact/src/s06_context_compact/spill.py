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
    return file_preview(head, tail, path.relative_to(workdir).as_posix(), n_lines, size)


def output_path(workdir: Path, tool_use_id: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", tool_use_id) or "output"
    return state_path(workdir, "tool-outputs", f"{name}.txt")


def preview(output: str, shown: str, head_chars: int = HEAD_CHARS, tail_chars: int = TAIL_CHARS) -> str:
    """The head and the tail of `output`, cut at line ends, with the path and how to read the rest."""
    lines = output.splitlines()
    head = fitting(lines, head_chars)
    tail = fitting(lines[len(head):], tail_chars, from_end=True)  # never overlapping the head
    return persisted(shown, size(output), head, tail, len(lines))


def file_preview(head: str, tail: str, shown: str, n_lines: int, n_bytes: int) -> str:
    """`preview` for a file read only at its two ends (the first and last line read may be cut)."""
    head_lines = fitting(head.splitlines()[:-1] or head.splitlines(), HEAD_CHARS)
    tail_lines = fitting(tail.splitlines()[1:] or tail.splitlines(), TAIL_CHARS, from_end=True)
    return persisted(shown, size_of(n_bytes), head_lines, tail_lines, max(n_lines, len(head_lines) + len(tail_lines)))


def fitting(lines: list[str], chars: int, from_end: bool = False) -> list[str]:
    """Whole lines from the start (or the end) while they fit in `chars`; at least one, cut if huge."""
    kept, used = [], 0
    for line in reversed(lines) if from_end else lines:
        if kept and used + len(line) + 1 > chars:
            break
        kept.append(line[-chars:] if from_end else line[:chars])
        used += len(line) + 1
    return kept[::-1] if from_end else kept


def persisted(shown: str, size_text: str, head: list[str], tail: list[str], n_lines: int) -> str:
    """The `<persisted-output>` block: the size, the path, the lines kept, how to read the rest."""
    hidden = n_lines - len(head) - len(tail)
    shown_lines = f"lines 1-{len(head):,}" + (f" and {n_lines - len(tail) + 1:,}-{n_lines:,}" if tail else "")
    return "\n".join([
        "<persisted-output>",
        f"Output too large ({size_text}). Full output saved to: {shown}",
        "",
        f"Preview ({shown_lines} of {n_lines:,}):",
        *head,
        *([f"[... {hidden:,} lines not shown ...]"] if hidden else []),
        *tail,
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
