"""`ConcurrentTools`, the extension: a reply's calls go through the `Router`, and a read-only call
starts as soon as its `tool_use` block has streamed in, before the reply ends.

The model hands each finished block to `Agent.on_block` (s01) while it still streams. For a
`tool_use` block:
1. only while every tool_use before it in this reply was started (or refused) too, so verdicts
   keep their call order and nothing overtakes a call that may change things;
2. only for a tool that declares `read_only`;
3. its verdict is judged now (s07's gate, s08's PreToolUse hooks: `Harness.judge`, which asks
   nobody); only an immediate allow starts it. A deny is kept for later; an ask stops early
   starting for the rest of the reply, and is asked when the reply is answered, in order.
When the reply is complete, the router answers its calls, using what was started for each block
the final reply holds exactly (same id, name and input). A model call that fails (s11 retries a
cut stream) cancels what its stream started: the retried reply's blocks start afresh, and no
result ever answers a tool_use the final reply does not contain.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from s02_tool_use.extension import Extension
from s02_tool_use.tools import ToolCall

from .router import Router, Run, cancel_all


@dataclass
class Early:
    """A call judged, and maybe started, while its reply still streamed."""

    block_id: str
    name: str
    original: object  # the block's input as it streamed in, to match the final reply's block
    call: ToolCall
    verdict: object
    run: Run | None = None

    def matches(self, block) -> bool:
        return block.id == self.block_id and block.name == self.name and block.input == self.original


class ConcurrentTools(Extension):
    def __init__(self, router: Router | None = None, stream_start: bool = True):
        self.router = router or Router()
        self.stream_start = stream_start
        """Start read-only calls while the reply streams (False: only once it is complete)."""
        self.agent = None
        self.early: dict[str, Early] = {}  # block id -> the call judged (and maybe started) early
        self.opening = True  # every tool_use of this reply so far was started or refused

    def for_subagent(self) -> Extension:
        return ConcurrentTools(Router(self.router.max_at_once), self.stream_start)

    def on_event(self, agent, event: str, data: dict):
        if event in ("SessionStart", "SessionEnd"):
            self.forget()

    def before_request(self, agent) -> None:
        self.forget()  # a reply that was never answered (Ctrl-C mid-stream) leaves nothing running
        self.agent = agent
        if self.stream_start:
            agent.on_block = self.streamed

    def wrap_model_call(self, agent, request: dict, call_next):
        """Each attempt streams its blocks from the first; a failed one cancels what it started."""
        self.opening = True
        try:
            return call_next(request)
        except KeyboardInterrupt:
            self.forget()
            raise
        except Exception:
            self.forget(dropped=True)
            raise

    def streamed(self, block) -> None:
        """A block has finished streaming: start its call now if it is safe (see the module's steps)."""
        agent = self.agent
        if block.type != "tool_use" or not self.opening or agent is None:
            return
        # 1-2. only a read-only call, and only while every call before it went this way
        if not self.router.concurrent(agent, block.name):
            self.opening = False
            return
        # 3. the verdict, asking nobody: only an allow starts it now
        agent.view.tool_start(block.name, block.input)
        call = ToolCall(block.id, block.name, copy.deepcopy(block.input))
        verdict = agent.judge(call)
        early = Early(block.id, block.name, copy.deepcopy(block.input), call, verdict)
        if verdict.behavior == "allow":
            early.run = self.router.start(agent, call)
        elif verdict.behavior == "ask":
            self.opening = False  # asked in order once the reply is complete
        self.early[block.id] = early

    def run_tools(self, agent, calls: list, results: list[dict]) -> bool:
        early, self.early = self.early, {}
        matched = {block.id: early.pop(block.id) for block in calls
                   if block.id in early and early[block.id].matches(block)}
        self.drop(agent, list(early.values()))  # started from blocks the final reply does not hold
        self.router.run(agent, calls, results, matched)
        return True

    def forget(self, dropped: bool = False) -> None:
        """Cancel whatever was started early and not answered."""
        early, self.early = list(self.early.values()), {}
        if dropped and self.agent is not None:
            self.drop(self.agent, early)
        else:
            cancel_all([each.run for each in early if each.run is not None])

    def drop(self, agent, early: list[Early]) -> None:
        """Cancel calls started from a reply that will not be answered, and say so on screen."""
        cancel_all([each.run for each in early if each.run is not None])
        for each in early:
            agent.view.tool_end(each.name, "[not in the final reply (the stream was retried): dropped]", True)
