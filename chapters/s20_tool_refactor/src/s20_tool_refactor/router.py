"""The router: one reply's tool calls, the read-only ones side by side. What s20 adds over s02,
whose harness runs the calls of a reply one after another.

Each call still goes the way s02's `Harness.execute` takes it: the verdict (`judge`, then `settle`,
where s07 may ask the user), the registry (`tools.call`), then `after_tool` (post_tool_use). What
changes is when:
- verdicts stay in call order, one at a time, on the main thread: asks talk to the user;
- an allowed read-only call starts on a thread of its own (`Run`) and the router moves on to the
  next call; at most `max_at_once` run at once;
- a call that may change things waits until everything before it is answered, then runs alone on
  the main thread, as in s01 (so Ctrl-C reaches bash there, which kills its process group);
- results are answered (post_tool_use, the view, the tool_result) in call order.
A timeout answers "timed out" and abandons the thread (Python cannot kill one); Ctrl-C cancels
every run, waits a moment for them, and leaves s01's `answer` to fill in the missing results.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from rich.text import Text

from s01_agent_loop.agent import content_text, tool_result
from s02_tool_use.harness import refusal
from s02_tool_use.tools import ToolCall, ToolContext, ToolResult

from .declare import timeout_of

MAX_AT_ONCE = 10
"""Read-only calls running at once (Claude Code's default, CLAUDE_CODE_MAX_TOOL_USE_CONCURRENCY)."""
CANCEL_GRACE = 1.0
"""Seconds a Ctrl-C waits for cancelled runs to end before leaving them behind."""


@dataclass
class RunContext(ToolContext):
    cancelled: threading.Event = field(default_factory=threading.Event)
    """Set when nobody wants the result any more (Ctrl-C, a timeout): a long tool may stop early."""


class Run:
    """An allowed read-only call, running on a daemon thread of its own from the moment it is made."""

    def __init__(self, agent, call: ToolCall, slots: threading.Semaphore):
        self.call = call
        self.timeout = timeout_of(agent.tools.tools.get(call.name))
        self.deadline = time.monotonic() + self.timeout
        self.ctx = RunContext(agent.workdir, agent)
        self.view = agent.view
        self.done = threading.Event()
        self.result: ToolResult | None = None
        self.began = self.ended = 0.0  # time.monotonic() when the tool itself began and ended
        # subtle: a daemon thread, so a stuck tool never holds the process open at exit
        self.thread = threading.Thread(target=self.work, args=(agent.tools, slots), daemon=True,
                                       name=f"tool {call.name} {call.id}")
        self.thread.start()

    def work(self, registry, slots: threading.Semaphore) -> None:
        try:
            with slots:
                if not self.ctx.cancelled.is_set():
                    self.began = time.monotonic()
                    self.result = registry.call(self.call.name, self.call.input, self.ctx)  # never raises
                    self.ended = time.monotonic()
                    self.view.tool_finished(self.call.name)  # subtle: before `done`, so before its tool_end
        finally:
            self.done.set()

    def wait(self) -> ToolResult:
        """Its result, once it is there, or "timed out" when its deadline passes first."""
        if not self.done.wait(max(0.0, self.deadline - time.monotonic())):
            self.ctx.cancelled.set()
            return ToolResult(f"{self.call.name} timed out after {self.timeout:g} s and was abandoned; try a "
                              "narrower call.", is_error=True)
        return self.result or ToolResult(f"{self.call.name} was cancelled before it started.", is_error=True)

    def cancel(self) -> None:
        self.ctx.cancelled.set()


@dataclass
class Ready:
    """A call answered already: refused, or run on the main thread."""

    call: ToolCall
    result: ToolResult
    refused: bool = False
    """A refusal goes to the model as it is: post_tool_use is for calls that ran (as in s02)."""

    def wait(self) -> ToolResult:
        return self.result

    def cancel(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------


class Router:
    def __init__(self, max_at_once: int = MAX_AT_ONCE):
        self.max_at_once = max_at_once
        self.slots = threading.BoundedSemaphore(max_at_once)

    def concurrent(self, agent, name: str) -> bool:
        """A call may run beside others when its tool declares it changes nothing."""
        declared = agent.tools.tools.get(name)
        return declared is not None and declared.read_only

    def start(self, agent, call: ToolCall) -> Run:
        agent.view.tool_running(call.name)
        return Run(agent, call, self.slots)

    def run(self, agent, calls: list, results: list[dict], early: dict | None = None) -> None:
        """Answer every call in `calls` into `results`, in call order (`early`: the calls judged, and
        maybe started, while the reply streamed, by block id: concurrency.py's `Early`)."""
        early, streaming_ended = early or {}, time.monotonic()
        pending: list[Run | Ready] = []  # made, in call order, not yet answered
        ran: list[Run] = []  # the calls run on threads, for the report
        try:
            for block in calls:
                # 1. a call that may change things waits for everything before it
                found = early.pop(block.id, None)
                if found is None and not self.concurrent(agent, block.name):
                    self.answer(agent, pending, results)
                # 2. its verdict, in call order (the early ones were judged as they streamed in)
                agent.n_tool_calls += 1
                if found is None:
                    agent.view.tool_start(block.name, block.input)
                    call = ToolCall(block.id, block.name, block.input)
                    verdict = agent.judge(call)
                else:
                    call, verdict = found.call, found.verdict
                if verdict.behavior == "ask":  # the dialog never shares the screen with a spinner
                    self.answer(agent, pending, results)
                verdict = agent.settle(call, verdict)  # an ask is asked here, one at a time
                # 3. refused, already running, started now, or run here and now
                if verdict.behavior == "deny":
                    pending.append(Ready(call, ToolResult(refusal(call, verdict), is_error=True), refused=True))
                elif found is not None and found.run is not None:
                    pending.append(found.run)
                    ran.append(found.run)
                elif self.concurrent(agent, call.name):
                    pending.append(self.start(agent, call))
                    ran.append(pending[-1])
                else:
                    agent.view.tool_running(call.name)
                    ctx = ToolContext(agent.workdir, agent)
                    pending.append(Ready(call, agent.tools.call(call.name, call.input, ctx)))
                    self.answer(agent, pending, results)  # its preview under its own line
            self.answer(agent, pending, results)
            report(agent, ran, streaming_ended)
        except BaseException:
            cancel_all(pending)  # Ctrl-C (or a bug): s01's `answer` fills in what is missing
            raise

    def answer(self, agent, pending: list, results: list[dict]) -> None:
        """Wait for each made call in order; post_tool_use, show and record its result."""
        while pending:
            made = pending[0]
            result = made.wait()
            pending.pop(0)
            if not getattr(made, "refused", False):
                result = agent.after_tool(made.call, result)
            content = result.sent()
            agent.view.tool_end(made.call.name, content_text(content), result.is_error)
            results.append(tool_result(made.call.id, content, result.is_error))


def report(agent, ran: list[Run], streaming_ended: float) -> None:
    """One line, measured, when a reply's calls ran on threads: how many overlapped, and how many
    began before the reply had finished streaming (`streaming_ended`: when it had)."""
    ran = [each for each in ran if each.ended]
    if len(ran) < 2:
        return
    said, at_once = [], most_at_once(ran)
    if at_once > 1:
        said.append(f"{len(ran)} read-only calls ran on threads of their own, up to {at_once} at once")
    early = [each for each in ran if each.began < streaming_ended]
    ahead = streaming_ended - min((each.began for each in early), default=streaming_ended)
    if ahead >= 0.05:
        done = sum(1 for each in ran if each.ended <= streaming_ended)
        said.append(f"{len(early)} of {len(ran)} began while the reply was still streaming (the first {ahead:.1f} s "
                    f"before its end)" + (f", {done} had ended by then" if done else ""))
    if not said:
        return
    line = "; ".join(said)
    agent.view.notice(Text(line, style="dim green"))


def most_at_once(ran: list[Run]) -> int:
    """The most runs in progress at one moment: +1 at each start, -1 at each end, in time order."""
    moments = sorted([(each.began, 1) for each in ran] + [(each.ended, -1) for each in ran])
    running = most = 0
    for _, change in moments:
        running += change
        most = max(most, running)
    return most


def cancel_all(made: list, grace: float = CANCEL_GRACE) -> None:
    """Tell every run to stop, then give them `grace` seconds together to end."""
    for each in made:
        each.cancel()
    deadline = time.monotonic() + grace
    for each in made:
        if isinstance(each, Run):
            each.thread.join(max(0.0, deadline - time.monotonic()))
