"""The index: one line per memory, kept in `MEMORY.md` and, cut to a budget, in the system prompt.

    - [run-tests-verbose](run-tests-verbose.md) (feedback): Run the tests verbosely, python -m unittest -v

The model reads the index on every request, so every line costs tokens in every request of the
session; the bodies cost nothing until the model reads a file. The index in the prompt is capped at
`MAX_LINES` lines and `MAX_CHARS` characters (Claude Code loads the first 200 lines or 25 KB of its
MEMORY.md), and a cut index says what it left out, so the model knows to look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from s02_tool_use.files import write_atomic
from s02_tool_use.state import state_path

from .store import INDEX_FILE, Scan, StoredMemory, memory_dir

MAX_LINES = 200
"""The most index lines in the system prompt; 0 means no limit."""
MAX_CHARS = 25_000
"""The most characters of index lines (each with its newline) in the system prompt; 0 means no limit."""
MAX_DESCRIPTION_CHARS = 200
"""A description longer than this (a hand-edited file) is cut in the index."""
NAMES_SHOWN = 10
"""How many of the left-out memories a cut index names."""

HEADER = "<!-- The index of the memories in this folder, rebuilt from their files: edit those, not this one. -->"

SECTION = """# Memory
Your memory from earlier sessions: notes kept in .harness/memory/, one file per memory, listed here
as they were when this session started (memories saved now appear from the next session on). Read a
memory's file with read_file when its description bears on the task. Follow feedback memories as the
user's standing instructions; a memory may be out of date, so check it against the code before you
rely on it."""


@dataclass
class Snapshot:
    """The memory section of the system prompt, as it was taken at SessionStart."""

    text: str
    shown: list[str] = field(default_factory=list)
    """The names of the memories listed in it."""
    left_out: list[str] = field(default_factory=list)
    """The names of the memories the cut left out."""


def index_line(memory: StoredMemory) -> str:
    meta = memory.meta
    return f"- [{meta.name}]({memory.file.name}) ({meta.type}): {short_description(memory)}"


def short_description(memory: StoredMemory) -> str:
    """The description, cut to `MAX_DESCRIPTION_CHARS` (only a hand-edited file can be longer)."""
    description = memory.meta.description
    if len(description) > MAX_DESCRIPTION_CHARS:
        return description[: MAX_DESCRIPTION_CHARS - 1] + "…"
    return description


def write_index(workdir: Path, found: Scan) -> bool:
    """Rebuild `MEMORY.md` from the files; True if it changed. No memories and no index: no file."""
    path = memory_dir(workdir) / INDEX_FILE
    if not found.memories and not path.exists():
        return False
    text = "\n".join([HEADER, *map(index_line, found.memories.values())]) + "\n"
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") == text:
        return False  # subtle: unchanged files are not rewritten, so their mtime means something
    write_atomic(state_path(workdir, "memory", INDEX_FILE), text)
    return True


def snapshot(found: Scan, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> Snapshot:
    """The section for the system prompt: the intro, then as many index lines as the caps allow."""
    # 1. one line per memory, in name order (the same order every session: a cacheable prompt)
    lines = [(name, index_line(memory)) for name, memory in found.memories.items()]
    # 2. keep lines while both caps hold
    kept, used = [], 0
    for name, line in lines:
        if (max_lines and len(kept) >= max_lines) or (max_chars and used + len(line) + 1 > max_chars):
            break
        kept.append((name, line))
        used += len(line) + 1
    left_out = [name for name, _ in lines[len(kept):]]
    body = [line for _, line in kept] or ["(No memories yet.)"]
    # 3. a cut index says so, and names what it left out
    if left_out:
        named = ", ".join(left_out[:NAMES_SHOWN]) + (f", and {len(left_out) - NAMES_SHOWN} more"
                                                     if len(left_out) > NAMES_SHOWN else "")
        caps = " and ".join(filter(None, [max_lines and f"{max_lines} lines", max_chars and f"{max_chars:,} characters"]))
        body.append(f"[{len(left_out)} more memor{'ies' if len(left_out) > 1 else 'y'} not listed: the index "
                    f"here is cut at {caps}. Left out: {named}. .harness/memory/{INDEX_FILE} lists them all.]")
    return Snapshot("\n".join([SECTION, *body]), [name for name, _ in kept], left_out)
