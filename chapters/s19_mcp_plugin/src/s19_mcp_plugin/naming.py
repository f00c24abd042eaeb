"""An MCP tool's name as the model sees it: `mcp__<server>__<tool>`, valid for the API.

The Messages API takes tool names matching `^[a-zA-Z0-9_-]{1,64}$`; an MCP server may name its tools
with dots, spaces or any length, and two servers' tools must not meet under one name. So:
1. every character outside the pattern becomes `_` (`git.status` -> `git_status`);
2. a name over 64 characters is cut, and a name that is cut, or that another tool already took,
   ends in `_` and 8 hex digits of a hash of the full name: stable from run to run (the prompt
   cache keeps working) and different for different originals.
"""

from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 64
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def tool_name(server: str, tool: str, taken: set[str] = frozenset()) -> str:
    """`mcp__<server>__<tool>`, made valid, cut to 64 characters, and not in `taken`.

    e.g. tool_name("my server", "read.file") -> "mcp__my_server__read_file"
    """
    full = f"mcp__{server}__{tool}"
    name = UNSAFE.sub("_", full)
    if len(name) <= MAX_LENGTH and name not in taken:
        return name
    # subtle: the hash is of the original name, so two tools that differ only in characters
    # that became `_` (`a.b` and `a b`) still get different names
    for attempt in range(1000):
        digest = hashlib.sha256(f"{full}#{attempt}".encode()).hexdigest()[:8]
        candidate = f"{name[: MAX_LENGTH - 9]}_{digest}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"no free name for {full!r}")  # 1000 hash collisions: not in this universe
