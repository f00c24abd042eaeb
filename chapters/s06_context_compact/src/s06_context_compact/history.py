"""Rewriting the conversation without breaking it: clear old tool results, cut at a safe place.

The API rejects a history in which a `tool_use` has no `tool_result` right after it, or a
`tool_result` has no `tool_use` right before it. Both rewrites here keep that true by construction:
- clearing changes only the *content* of old tool_result blocks; every block, id and message stays;
- cutting keeps a tail that starts at an assistant message, so each tool_result in the tail still
  follows its tool_use, and the summary (a user message) can go in front of it.

Before either rewrite the whole history is saved as JSONL, one message per line: what the model
no longer sees is still on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

from s02_tool_use.files import write_atomic

from .tokens import estimate_tokens

CLEARED = "[tool result cleared to save context; re-run the tool if needed]"


def old_results(messages: list[dict], keep: int) -> list[dict]:
    """The tool_result blocks older than the `keep` most recent ones that still hold their content.

    e.g. six rounds, one result each, results "a" to "f": with keep=5, the block holding "a".
    """
    results = [block for message in messages if message["role"] == "user" and isinstance(message["content"], list)
               for block in message["content"] if block.get("type") == "tool_result"]
    old = results[: max(0, len(results) - keep)]
    return [block for block in old if block.get("content") != CLEARED]


def clearing_frees(blocks: list[dict]) -> int:
    """Estimated tokens that replacing these blocks' contents by the placeholder would free."""
    return sum(max(0, estimate_tokens(block.get("content") or "") - estimate_tokens(CLEARED)) for block in blocks)


def clear(blocks: list[dict]) -> None:
    """Replace the content of each block by the placeholder; subtle: `is_error` stays, and an error
    result must not be empty, which the placeholder never is."""
    for block in blocks:
        block["content"] = CLEARED


def safe_cut(messages: list[dict], keep: int) -> int | None:
    """Where the verbatim tail starts if at least `keep` recent messages are kept: the index of an
    assistant message, so that no tool_use/tool_result pair is split; None if there is none.

    The naive cut, `len(messages) - keep`, may land on a user message whose tool_results answer
    the assistant message just before it; we step back to that assistant message instead.
    e.g. roles user, assistant, user, assistant, user (a tool pair at the end), keep=1: 3, not 4.
    """
    if len(messages) < 2:
        return None
    start = min(len(messages) - 1, max(1, len(messages) - keep))
    while start > 0 and messages[start]["role"] != "assistant":
        start -= 1
    return start or None


def save_transcript(path: Path, messages: list[dict]) -> None:
    """The history as JSONL, one message per line, written atomically."""
    lines = [json.dumps(message, ensure_ascii=False, default=str) + "\n" for message in messages]
    write_atomic(path, "".join(lines))
