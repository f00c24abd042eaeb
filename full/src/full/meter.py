"""`Meter`: tokens and cost of the session, per model, as one `Extension`.

Every reply carries a `usage`: the tokens of its request (uncached input, cache reads, cache
writes) and of the reply (output). The meter adds them up at the outermost `wrap_model_call`, so
it sees each call once, after s11's retries, and times it:

    wrap_model_call   add the reply's usage to the session's totals and to its model's; time the call
    on_event          SessionStart "clear" (`/clear`) or "resume": another session, the totals start again;
                      SideModelCall: a call made past every wrapper (s06's summary) counts too
    session_state     the totals, saved with the conversation (sessions.py): a resumed session goes on counting
    for_subagent      itself: a subagent's calls (s04) are the session's calls
    commands          /cost

What a request cost comes from prices.py, per model (a session may switch with `/model`); a model
with no known price has its tokens counted and its cost unknown (None), never $0. Teammates (s15)
are agents of their own, each with its own meter: `/cost` lists them apart, outside the total.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension

from .prices import price_of

KINDS = ("input", "output", "cache_read", "cache_write")
USAGE_FIELDS = {"input": "input_tokens", "output": "output_tokens", "cache_read": "cache_read_input_tokens",
                "cache_write": "cache_creation_input_tokens"}
"""The Meter's keys and the API's `usage` fields they count."""


def no_usage() -> dict[str, int]:
    return dict.fromkeys(KINDS, 0)


def usage_of(reply) -> dict[str, int]:
    """A reply's usage in the Meter's keys; a field the endpoint leaves out (or null) counts 0."""
    usage = getattr(reply, "usage", None)
    return {kind: getattr(usage, name, None) or 0 for kind, name in USAGE_FIELDS.items()}


def prompt_tokens(usage: dict) -> int:
    """The whole prompt of the requests counted: uncached input, cache reads and cache writes."""
    return usage["input"] + usage["cache_read"] + usage["cache_write"]


def read_share(usage: dict) -> float | None:
    """The share of the prompt tokens that were read from the cache, or None with no prompt yet."""
    prompt = prompt_tokens(usage)
    return usage["cache_read"] / prompt if prompt else None


@dataclass
class ModelUsage:
    """What one model did in this session."""

    usage: dict[str, int] = field(default_factory=no_usage)
    requests: int = 0
    cost_usd: float | None = 0.0
    """None: the model has no known price (prices.py)."""


class Meter(Extension):
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()  # subtle: subagents share this meter, and s20 may run two at once
        self.reset()

    def reset(self) -> None:
        """A new session: every total back to zero."""
        self.usage = no_usage()  # session totals, tokens by kind
        self.models: dict[str, ModelUsage] = {}  # model id -> its part, in the order first used
        self.requests = 0
        self.api_seconds = 0.0  # time spent in model calls, retries included
        self.first: dict[str, int] | None = None  # the session's first request's usage

    @property
    def cost_usd(self) -> float | None:
        """The session's cost in US dollars; None when a model it used has no known price."""
        costs = [part.cost_usd for part in self.models.values()]
        return None if None in costs else sum(costs)

    def cache_read_share(self, after_first: bool = False) -> float | None:
        """The share of prompt tokens read from the cache this session (None before any prompt);
        `after_first`: leaving out the first request, which has nothing cached to read yet."""
        usage = self.usage
        if after_first:
            if self.requests < 2:
                return None
            usage = {kind: usage[kind] - self.first[kind] for kind in KINDS}
        return read_share(usage)

    def for_subagent(self) -> Meter:
        return self  # a subagent's calls are this session's calls

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import show_cost

        return {"cost": SlashCommand("tokens and cost of this session: by kind and by model, cache reads, "
                                     "requests, API time", show_cost)}

    # the points ------------------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and data.get("source") in ("clear", "resume"):
            with self.lock:
                self.reset()
        elif event == "SideModelCall":  # not timed: the API time is the loop's calls
            self.record(data["request"].get("model") or agent.config.model, usage_of(data["reply"]))

    def session_state(self, agent) -> dict | None:
        if not self.requests:
            return None
        with self.lock:
            return {"usage": dict(self.usage), "requests": self.requests, "api_seconds": self.api_seconds,
                    "first": self.first, "models": {model: {"usage": dict(part.usage), "requests": part.requests,
                                                            "cost_usd": part.cost_usd}
                                                    for model, part in self.models.items()}}

    def restore_session(self, agent, state: dict) -> None:
        with self.lock:
            self.usage = {kind: state["usage"].get(kind, 0) for kind in KINDS}
            self.requests, self.api_seconds, self.first = state["requests"], state["api_seconds"], state["first"]
            self.models = {model: ModelUsage({kind: part["usage"].get(kind, 0) for kind in KINDS}, part["requests"],
                                             part["cost_usd"]) for model, part in state["models"].items()}

    def wrap_model_call(self, agent, request: dict, call_next):
        started = self.clock()
        try:
            reply = call_next(request)
        finally:
            with self.lock:
                self.api_seconds += self.clock() - started
        self.record(request.get("model") or agent.config.model, usage_of(reply))
        return reply

    def record(self, model: str, usage: dict[str, int]) -> None:
        """Count one request of `model` with `usage` (the Meter's keys)."""
        price = price_of(model)
        with self.lock:
            part = self.models.setdefault(model, ModelUsage())
            for kind in KINDS:
                part.usage[kind] += usage[kind]
                self.usage[kind] += usage[kind]
            part.requests += 1
            self.requests += 1
            if self.first is None:
                self.first = dict(usage)
            # subtle: priced per request, since a price may depend on the request's size (Haiku 5.5)
            part.cost_usd = None if price is None or part.cost_usd is None else part.cost_usd + price.cost(usage)
