"""Chapter 6: keeping the context inside its budget, as one `Extension`.

Every request sends the whole conversation, and a long session fills the context window with old
tool output. Three remedies, cheapest first, each at a point s02's harness already has:
    post_tool_use    spill: an output over `spill_chars` goes to a file, the model gets a preview
    before_request   clear: past `clear_at` of the budget, old tool results become a placeholder
    before_request   compact: past `compact_at`, the older conversation becomes a summary
                     (also on demand: `/compact [focus]`, or the model's `compact` tool)
    wrap_model_call  measure: the API's count of each request, for the next check
    on_event         a new conversation (`/clear`, or one resumed): the last count no longer describes it
    session_state    the last count and a compaction the model asked for, for a resumed session
    commands         `/context` (where the context goes) and `/compact [focus]`

subtle: the prompt cache. The API re-reads a cached prefix of the request for a tenth of the price,
but only while that prefix is unchanged. So the history is rewritten rarely and in one step: a
rewrite must free at least `rewrite_at_least` of the budget to be worth the cache miss.
"""

from __future__ import annotations

import secrets
import time
from functools import partial

from pydantic import BaseModel, ConfigDict, Field
from rich.text import Text

from s01_agent_loop.agent import reply_text
from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension
from s02_tool_use.state import state_path
from s02_tool_use.tools import Tool, ToolCall, ToolContext, ToolResult

from .history import clear, clearing_frees, old_results, safe_cut, save_transcript
from .spill import spill, spill_file
from .summary import current_plan, recent_files, summary_message, summary_request
from .tokens import ContextMeter, estimate_tokens


class CompactionConfig(BaseModel):
    budget: int = Field(150_000, ge=0)
    """The context budget in tokens; 0 means no automatic clearing or compaction."""
    clear_at: float = Field(0.5, gt=0)
    """Clear old tool results when the context passes this share of the budget."""
    keep_results: int = Field(3, ge=0)
    """Clearing keeps the content of this many most recent tool results (the API's default, too)."""
    compact_at: float = Field(0.8, gt=0)
    """Replace the older conversation by a summary when the context passes this share of the budget."""
    keep_messages: int = Field(4, ge=1)
    """Compaction keeps at least this many recent messages verbatim (more if a tool pair would be split)."""
    rewrite_at_least: float = Field(0.1, ge=0)
    """An automatic clearing or compaction happens only if it frees at least this share of the budget."""
    spill_chars: int = Field(20_000, ge=0)
    """Tool output longer than this goes to `.harness/tool-outputs/`; 0 means never."""
    summary_max_tokens: int = Field(4096, ge=1)
    """The most tokens the summary may have."""


class CompactInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    focus: str | None = Field(None, description="What the summary should keep in most detail.")


COMPACT_DESCRIPTION = (
    "Summarise the conversation so far to free context space. Call it when the conversation has grown "
    "long and its older details (big outputs, finished steps) are no longer needed; the summary and the "
    "most recent messages stay. It happens right after this call, before your next turn."
)


class Compactor(Extension):
    def __init__(self, config: CompactionConfig | None = None):
        self.config = config or CompactionConfig()
        self.meter = ContextMeter()
        self.session = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)
        self.n_transcripts = 0  # one is saved before every rewrite of the history
        self.n_clearings = 0
        self.n_compactions = 0
        self.scheduled = False  # the model's `compact` tool asked for a compaction
        self.scheduled_focus: str | None = None
        self.used: tuple[tuple, int] | None = None  # context_use's last answer, and what it depended on

    def for_subagent(self) -> Compactor:
        """A subagent has its own context: a fresh compactor with the same settings (s02's `Extension.for_subagent`)."""
        return Compactor(self.config)

    def tools(self) -> list[Tool]:
        return [Tool("compact", COMPACT_DESCRIPTION, CompactInput, self.compact_tool, kind="internal",
                     tip="When the conversation grows long with output you no longer need, call compact.")]

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import compact_now, show_context

        return {"context": SlashCommand("how full the context is: system, tools, messages, tool results, free",
                                        partial(show_context, self)),
                "compact": SlashCommand("summarise the conversation now; /compact FOCUS says what to keep",
                                        partial(compact_now, self))}

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and data.get("source") in ("clear", "resume"):
            self.meter.forget()  # its last count described the old history
            self.scheduled = False

    def session_state(self, agent) -> dict | None:
        """The meter's last count and a compaction the model asked for (s02's `Extension.session_state`):
        a resumed session decides to clear or compact exactly as the session would have gone on."""
        meter = self.meter
        if meter.fixed is None and meter.counted is None and not self.scheduled:
            return None
        return {"fixed": meter.fixed, "counted": meter.counted, "scheduled": self.scheduled,
                "focus": self.scheduled_focus}

    def restore_session(self, agent, state: dict) -> None:
        self.meter.fixed = state.get("fixed")
        self.meter.counted = tuple(state["counted"]) if state.get("counted") else None
        self.scheduled, self.scheduled_focus = bool(state.get("scheduled")), state.get("focus")

    def context_use(self, agent) -> tuple[int, int] | None:
        """How full the context is, cheaply (no request is built): the tokens the next request would
        have and the budget (0: none), for a status line; None until a first request was sent, since
        only then are the system prompt and tools measured.
        subtle: a status line asks every second, and estimating a long history takes milliseconds, so
        the answer is kept while the history, its last message and the meter's count stay the same."""
        if not self.meter.measured and self.meter.fixed is None:
            return None
        messages = agent.messages
        key = (id(messages), len(messages), id(messages[-1]) if messages else None,
               estimate_tokens(messages[-1]) if messages else 0, self.meter.counted, self.meter.fixed)
        if self.used is None or self.used[0] != key:
            self.used = (key, self.meter.tokens(agent))
        return self.used[1], self.config.budget

    def compact_tool(self, args: CompactInput, ctx: ToolContext) -> str:
        """`compact`: only schedules. subtle: this tool_use is answered by the result we return, so the
        history cannot be rewritten while the call is running; the next `before_request` does it."""
        self.scheduled, self.scheduled_focus = True, args.focus
        return "Compaction scheduled: the conversation will be summarised before your next turn."

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        whole = result.output_file if result.output_file and result.output_file.exists() else None
        if not self.config.spill_chars or (len(result.content) <= self.config.spill_chars and whole is None):
            return None
        try:
            if whole is not None:  # the tool cut its output; the file holds all of it
                last = result.content.rsplit("\n", 1)[-1]
                note = f"\n{last}" if last.startswith("[") and "cut ...]" not in last else ""  # `[exit code 1]`
                return ToolResult(spill_file(agent.workdir, call.id, whole) + note, result.is_error,
                                  blocks=result.blocks)
            return ToolResult(spill(agent.workdir, call.id, result.content), result.is_error, blocks=result.blocks)
        except OSError as error:  # a full disk must not stop the loop: the output goes in whole
            self.notice(agent, f"could not save a large output ({error}); it stays in the conversation")
            return None

    def wrap_model_call(self, agent, request: dict, call_next):
        reply = call_next(request)
        self.meter.record(request, getattr(reply, "usage", None))
        return reply

    def before_request(self, agent) -> None:
        """Check the size before each request; rewrite the history when it is worth it."""
        config = self.config
        # 1. a compaction the model asked for with its `compact` tool, whose result is now in the history
        if self.scheduled:
            self.scheduled = False
            self.compact(agent, "manual", self.scheduled_focus)
            return
        if not config.budget:
            return
        # 2. how full is the context? The API's last count plus the estimate of what came since
        size = self.meter.tokens(agent)
        # 3. past clear_at: empty all but the last few tool results, in ONE step
        if size > config.clear_at * config.budget and self.clear_old_results(agent, size):
            size = self.meter.tokens(agent)
        # 4. past compact_at: summarise the older conversation
        if size > config.compact_at * config.budget:
            self.compact(agent, "auto", None, size)

    # -----------------------------------------------------------------------------------------

    def clear_old_results(self, agent, size: int) -> bool:
        """Clear the old tool results if that frees enough; True if it did."""
        blocks = old_results(agent.messages, self.config.keep_results)
        freed = clearing_frees(blocks)
        if not blocks or freed < self.config.rewrite_at_least * self.config.budget:
            return False  # subtle: not worth a cache miss; wait until more has piled up
        transcript = self.save(agent)
        clear(blocks)
        self.meter.forget()
        self.n_clearings += 1
        after = self.meter.tokens(agent)
        what = f"{len(blocks)} old tool result{'s' * (len(blocks) > 1)}"
        self.notice(agent, f"cleared {what}: {size:,} → {after:,} tokens (transcript saved to {transcript})")
        return True

    def compact(self, agent, trigger: str, focus: str | None = None, size: int | None = None,
                force: bool = False) -> bool:
        """Replace the older conversation by a summary; True if it did. `trigger` is "auto" or "manual";
        `force` skips the check that an automatic one frees enough (the API said the prompt is too long)."""
        messages = agent.messages
        cut = safe_cut(messages, self.config.keep_messages)
        if cut is None:
            if trigger == "manual":
                self.notice(agent, "nothing to compact yet")
            return False
        if trigger == "auto" and not force and \
                estimate_tokens(messages[:cut]) < self.config.rewrite_at_least * self.config.budget:
            return False  # the old part is too small to be worth a summary
        before = size if size is not None else self.meter.tokens(agent)
        # 1. tell the other extensions (s08 runs the user's PreCompact hooks here)
        agent.emit("PreCompact", trigger=trigger, focus=focus)
        # 2. save the whole history first: whatever the summary leaves out stays on disk
        transcript = self.save(agent)
        # 3. ask the model itself (the raw model, past every wrapper) for a summary of the part that goes
        request = summary_request(agent.config.model, messages[:cut], focus, self.config.summary_max_tokens)
        agent.view.model_start()
        reply = agent.model.query(request)
        agent.view.model_end(reply)
        agent.emit("SideModelCall", request=request, reply=reply, purpose="compaction")  # for a meter (full's)
        summary = reply_text(reply)
        if not summary:
            self.notice(agent, "compaction failed: the summary came back empty; the history is unchanged")
            return False
        # 4. the new history: the summary, then the recent messages exactly as they were
        first = summary_message(summary, transcript, focus, recent_files(messages), current_plan(agent))
        if estimate_tokens(first) >= estimate_tokens(messages[:cut]):
            self.notice(agent, "compaction skipped: the summary is no shorter than the messages it would replace")
            return False
        agent.messages[:] = [first, *messages[cut:]]
        self.meter.forget()
        self.n_compactions += 1
        after = self.meter.tokens(agent)
        self.notice(agent, f"compacted: {before:,} → {after:,} tokens (transcript saved to {transcript})")
        return True

    def save(self, agent) -> str:
        """Save the history as `.harness/transcripts/<session>-<n>.jsonl`; return that path, relative."""
        self.n_transcripts += 1
        path = state_path(agent.workdir, "transcripts", f"{self.session}-{self.n_transcripts}.jsonl")
        save_transcript(path, agent.messages)
        return path.relative_to(agent.workdir).as_posix()

    def notice(self, agent, line: str) -> None:
        agent.view.notice(Text(f"✂ {line}", style="magenta"))
