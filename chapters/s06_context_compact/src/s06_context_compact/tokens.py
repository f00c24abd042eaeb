"""How full the context is: a token estimate of the request, corrected by the API's own count.

The context window is measured in tokens, and only the API's tokenizer knows them exactly. There
are two sources, and `ContextMeter` combines them:
- an **estimate**: about 4 characters of the request's JSON per token. Free, available before a
  request is sent, but only roughly right (code, non-English text and JSON punctuation cost more
  tokens per character, plain English prose less).
- the **count**: every reply's `usage` says how many tokens its request had, `input_tokens +
  cache_read_input_tokens + cache_creation_input_tokens`. Exact, but only for a request already sent.
The current size is the last count plus the estimate of what the messages gained (or lost) since.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from s01_agent_loop.agent import message_blocks

CHARS_PER_TOKEN = 4


def estimate_tokens(obj) -> int:
    """An estimate of what `obj` (a string, a block, a message, a list of them) costs in a request.

    >>> estimate_tokens("twelve chars")
    3
    """
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def counted_tokens(usage) -> int:
    """The size of a sent request as the API counted it (0 when the endpoint reports no usage).

    subtle: with prompt caching, `input_tokens` is only the uncached part; the cached parts are
    reported separately, and all three together are what the request filled of the context.
    """
    if usage is None:
        return 0
    parts = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    return sum(getattr(usage, name, None) or 0 for name in parts)


@dataclass
class ContextParts:
    """Where the tokens of a request go (estimates), for `/context`."""

    system: int
    tools: int
    messages: int
    """Everything in the messages except the tool results: prompts, the model's text and tool calls."""
    tool_results: int

    @property
    def total(self) -> int:
        return self.system + self.tools + self.messages + self.tool_results


def parts_of(request: dict) -> ContextParts:
    """`ContextParts` of a request, i.e. of the keyword arguments of `messages.create`."""
    results = sum(estimate_tokens(block) for block in all_blocks(request["messages"])
                  if block.get("type") == "tool_result")
    return ContextParts(
        system=estimate_tokens(request.get("system") or ""),
        tools=estimate_tokens(request.get("tools") or []),
        messages=estimate_tokens(request["messages"]) - results,
        tool_results=results,
    )


def overhead_tokens(request: dict) -> int:
    """The part of a request that is not the conversation: the system prompt and the tool definitions."""
    return estimate_tokens(request.get("system") or "") + estimate_tokens(request.get("tools") or [])


def all_blocks(messages: list[dict]) -> list[dict]:
    """Every content block of every message, in order (a string content counts as one text block)."""
    found = []
    for message in messages:
        found += message_blocks(message)
    return found


# ---------------------------------------------------------------------------------------------


class ContextMeter:
    """The current context size in tokens: the API's count of the last request, plus the estimate
    of what the messages gained or lost since."""

    def __init__(self):
        self.fixed: int | None = None  # estimated tokens of the system prompt and the tools
        self.counted: tuple[int, int] | None = None  # (the API's count of the last request, our estimate of its messages)

    def record(self, request: dict, usage) -> None:
        """After each model call (`wrap_model_call`): remember the request's size, counted and estimated."""
        self.fixed = overhead_tokens(request)
        counted = counted_tokens(usage)
        self.counted = (counted, estimate_tokens(request["messages"])) if counted else None

    def forget(self) -> None:
        """The history was rewritten: the last count no longer describes it, estimate until the next reply."""
        self.counted = None

    @property
    def measured(self) -> bool:
        """Whether `tokens` starts from the API's count (True) or is an estimate only."""
        return self.counted is not None

    def tokens(self, agent) -> int:
        """The size the next request would have, in tokens."""
        now = estimate_tokens(agent.messages)
        if self.counted is not None:
            counted, then = self.counted
            return max(0, counted + now - then)
        # subtle: before the first reply the size of the system prompt and tools is unknown, and
        # building a request just to measure them would run every extension's system_prompt twice;
        # the first request goes out as it is, and its count (or s11, on a too-long error) takes over
        return (self.fixed or 0) + now
