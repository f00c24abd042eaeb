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

import re
from pathlib import Path

from s02_tool_use.files import write_atomic
from s02_tool_use.state import state_path

HEAD_CHARS = 2_000
TAIL_CHARS = 800


def spill(workdir: Path, tool_use_id: str, output: str) -> str:
    """Save `output` under `.harness/tool-outputs/` (atomically) and return the preview that replaces it."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", tool_use_id) or "output"
    path = state_path(workdir, "tool-outputs", f"{name}.txt")
    write_atomic(path, output)
    return preview(output, path.relative_to(workdir).as_posix())


def preview(output: str, shown: str, head_chars: int = HEAD_CHARS, tail_chars: int = TAIL_CHARS) -> str:
    """The head and the tail of `output`, cut at line ends, with the path and how to read the rest."""
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


def size(text: str) -> str:
    """The UTF-8 size of `text` the way Claude Code says it: `812B`, `26.1KB`, `4.8MB`."""
    n = len(text.encode("utf-8"))
    return f"{n}B" if n < 1000 else f"{n / 1000:.1f}KB" if n < 1_000_000 else f"{n / 1_000_000:.1f}MB"
