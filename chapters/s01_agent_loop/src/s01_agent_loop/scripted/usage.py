"""Token usage reported the way the API reports it, prompt cache included.

Tokens are estimated, about four characters of canonical JSON per token, block by block. The
cache follows the API's rules: the request is read as one sequence of blocks, tools first, then
the system prompt, then the messages. A `cache_control` marker on a block stores the prefix that
ends there; a later request that starts with a stored prefix reads it instead of paying again.

    usage = cache.usage_for(body)
    usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"]
    == estimate_request(body)

Not modelled: the minimum cacheable length (1,024+ tokens on the real API) and expiry.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading

LOOKBACK = 20
"""How many blocks before a marker the API looks back for an earlier cached prefix."""


def canonical(obj) -> str:
    """JSON with sorted keys and no spaces, `cache_control` removed: equal content, equal text."""
    return json.dumps(unmarked(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def estimate_tokens(obj) -> int:
    return max(1, math.ceil(len(canonical(obj)) / 4))


def estimate_request(body: dict) -> int:
    """The request's size in (estimated) tokens."""
    return sum(estimate_tokens(block) for _, block, _ in cache_units(body))


def cache_units(body: dict) -> list[tuple[dict, object, bool]]:
    """The request in cache order: (where the block sits, the block, whether it has a marker)."""
    units = [({"tool": i}, tool, _marked(tool)) for i, tool in enumerate(body.get("tools") or [])]
    system = body.get("system")
    if isinstance(system, str):
        system = [{"type": "text", "text": system}] if system else []
    units += [({"system": i}, block, _marked(block)) for i, block in enumerate(system or [])]
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        role = message.get("role") if isinstance(message, dict) else None
        units += [({"message": i, "role": role}, block, _marked(block)) for block in content or []]
    if body.get("cache_control") and units:
        units[-1] = (*units[-1][:2], True)  # the top-level marker goes on the last block
    return units


class PromptCache:
    """The prefixes earlier requests stored, and the usage a new request would be billed."""

    def __init__(self):
        self.stored: set[str] = set()  # hashes of prefixes that ended at a marker
        self._lock = threading.Lock()

    def usage_for(self, body: dict, output_tokens: int = 0) -> dict:
        """The `usage` of the reply to `body`; stores the prefixes it marks for later requests."""
        units = cache_units(body)
        running = hashlib.sha256(canonical(body.get("model")).encode())
        hashes, totals, marks = [], [], []
        for k, (where, block, marked) in enumerate(units):
            running.update(canonical([where, block]).encode())
            hashes.append(running.hexdigest())  # the hash of the prefix that ends with block k
            totals.append((totals[-1] if totals else 0) + estimate_tokens(block))
            if marked:
                marks.append(k)
        read = created = 0
        with self._lock:
            for mark in marks:
                # subtle: a hit may end before the marker, where an earlier request put its marker
                hit = next((k for k in range(mark, max(-1, mark - LOOKBACK), -1) if hashes[k] in self.stored), None)
                read = max(read, totals[hit] if hit is not None else 0)
            if marks:
                created = totals[marks[-1]] - read
            self.stored.update(hashes[k] for k in marks)
        total = totals[-1] if totals else 0
        return {
            "input_tokens": total - read - created,
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
            "output_tokens": output_tokens,
        }


def _marked(block) -> bool:
    return isinstance(block, dict) and bool(block.get("cache_control"))


def unmarked(obj):
    """`obj` without its `cache_control` markers: what a request holds, wherever breakpoints sit."""
    if isinstance(obj, dict):
        return {key: unmarked(value) for key, value in obj.items() if key != "cache_control"}
    if isinstance(obj, list):
        return [unmarked(value) for value in obj]
    return obj
