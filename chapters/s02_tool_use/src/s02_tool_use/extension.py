"""`Extension`: a capability plugged into the harness, and what its points answer with.

Every method of `Extension` is an extension point that does nothing here; a capability subclasses
it and overrides the points it needs. In the order a turn meets them (Claude Code's hook events in
brackets):

    on_event("SessionStart"), on_event("UserPromptSubmit")   [SessionStart, UserPromptSubmit]
    before_request    reshape agent.messages before each model request (keep it valid)
    system_prompt     a named `Section` of the system prompt
    shape_request     order the sections, place cache breakpoints: the request as it will be sent
    wrap_model_call   around each model call (retries, metering)
    pre_tool_use      a `Verdict` on a tool call: allow, ask or deny, maybe a rewritten input [PreToolUse]
    ask               turn an "ask" into allow or deny (s07 asks the user)
    post_tool_use     rewrite or annotate a tool result, last extension first   [PostToolUse]
    run_tools         take over running a reply's calls (s20: side by side)
    on_event("Stop")  the model wants to stop; block to keep going              [Stop]
    on_event("TurnEnd")  the turn is over, however it ended (an answer, Ctrl-C, an error)
    on_event("SessionEnd")  the session is over: stop what you started           [SessionEnd]
    on_event("SideModelCall")  a model call made past every wrap_model_call (s06's summary): its
                      `request`, `reply` and `purpose`, for whoever counts calls (full's meter)

Besides the points: `tools()` it adds, `commands()` for the REPL, and `for_subagent()`, what a
subagent (s04) inherits of it.

A session that is saved and resumed later (full's `--continue`) must send the same request as
before the exit, so the prompt cache still hits. What an extension keeps per session and the
request depends on (s10's snapshot of CLAUDE.md and the date, s14's session-only crons) it hands
out as JSON-able data, `session_state(agent)`, and takes back, `restore_session(agent, state)`:

    states = agent.session_states()      # {"SystemPrompt": {...}, "Scheduler": {...}}, saved with the messages
    agent.resume(messages, states)       # later, maybe in another process: SessionStart "resume", then each
                                         # extension's restore_session, over what its SessionStart read
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from s01_agent_loop.cli.chapter import SlashCommand

from .tools import Tool, ToolCall, ToolResult


@dataclass(frozen=True)
class Section:
    """One named part of the system prompt; the request carries each as a text block."""

    name: str
    """What it is about, e.g. `identity`, `skills`, `memory` (s10 orders the sections by name)."""
    text: str
    cache: bool = False
    """Put a prompt-cache breakpoint (`cache_control`) on this block (s10 decides where)."""
    dynamic: bool = False
    """Its text changes during a session (a team that grows, s15): s10 sends it after the static
    sections, past the first cache breakpoint, so a change keeps the static part cached. subtle:
    everything after it (the messages) is read afresh once, on the request after the change
    (measured by full's bench/full_session_cache.py --team: one request at 79% cached, then 98%)."""


@dataclass
class Verdict:
    """What an extension says about a tool call at `pre_tool_use`."""

    behavior: Literal["allow", "ask", "deny"] | None
    """None: no opinion, only a rewritten input."""
    reason: str = ""
    """Why, in a few words for the user: "the rule Bash(rm:*) in .claude/settings.json"."""
    message: str | None = None
    """For a denial: the whole text the model gets, when it is not the usual one."""
    updated_input: dict | None = None
    """The call's new input; the extensions after this one, and the tool, see it."""
    by_default: bool = False
    """For an ask: only the default of a mode (no rule asked for it), so an explicit allow from
    another extension (a PreToolUse hook) settles it. A rule's ask is not `by_default`."""
    suggestions: list[Any] = field(default_factory=list)
    """For an ask: what an "allow always" answer would add (s07 puts its rules here)."""


def fold(verdicts: list[Verdict]) -> Verdict:
    """One verdict from many: deny beats ask beats allow.

    subtle: an ask that is only a mode's default (`by_default`) yields to an explicit allow, as a
    PreToolUse hook's "allow" skips the permission prompt in Claude Code; a rule's ask does not.
    Nobody objecting means allow: s02 alone runs every call.
    """
    said = [v for v in verdicts if v.behavior is not None]
    for wanted in (lambda v: v.behavior == "deny", lambda v: v.behavior == "ask" and not v.by_default,
                   lambda v: v.behavior == "allow", lambda v: v.behavior == "ask"):
        if found := next((v for v in said if wanted(v)), None):
            return found
    return Verdict("allow", "no extension objected")


@dataclass
class Outcome:
    """What extensions answer to an event."""

    block: str | None = None
    """A reason to block what the event announces (a prompt, a stop)."""
    context: list[str] = field(default_factory=list)
    """Text to add to the conversation for the model."""


# ---------------------------------------------------------------------------------------------


class Extension:
    """A capability plugged into the harness. Each method is an extension point that does nothing
    here: subclass and override the ones you need."""

    @classmethod
    def of(cls, agent) -> Extension | None:
        """The extension of this class plugged into `agent`, or None: `TodoPlanner.of(agent)`."""
        return next((ext for ext in getattr(agent, "extensions", ()) if isinstance(ext, cls)), None)

    def tools(self) -> list[Tool]:
        """Tools this capability adds."""
        return []

    def commands(self) -> dict[str, SlashCommand]:
        """Slash commands this capability adds to the REPL: `{"todos": SlashCommand(help, run)}`."""
        return {}

    def for_subagent(self) -> Extension | None:
        """What a subagent (s04) inherits: None, nothing (the default, and then not this extension's
        tools either); `self` to share it; a fresh instance for one with per-agent state."""
        return None

    # the points, in the order a turn meets them ---------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        """A turn or session event (SessionStart, UserPromptSubmit, Stop, ...). SessionStart with
        `source` "clear" is a new conversation (`Harness.new_session`): reset what belonged to the old one;
        "resume" is an earlier conversation brought back (`Harness.resume`), its states restored after.
        SessionEnd (`Harness.close`) comes once, at exit: stop what runs beside the conversation."""

    def session_state(self, agent) -> dict | None:
        """What this extension keeps for the session that the next request depends on, as JSON-able
        data (saved with the conversation; `restore_session` takes it back), or None: nothing."""
        return None

    def restore_session(self, agent, state: dict) -> None:
        """Take back what `session_state` gave, for a resumed session (after its SessionStart)."""

    def before_request(self, agent) -> None:
        """Reshape `agent.messages` before each model request (keep it valid)."""

    def system_prompt(self, agent) -> Section | None:
        """A section for the system prompt, or None."""

    def shape_request(self, agent, request) -> None:
        """Shape the `Request` about to be sent (its sections, tools, messages), in place. Runs in
        the one place a request is made, so whatever reads `agent.request()` sees what is sent."""

    def wrap_model_call(self, agent, request: dict, call_next: Callable[[dict], object]):
        """Around each model call: `call_next(request)` makes it and returns the `Message`."""
        return call_next(request)

    def pre_tool_use(self, agent, call: ToolCall) -> Verdict | None:
        """Before a tool runs: a verdict on the call, or None for no opinion."""

    def ask(self, agent, call: ToolCall, verdict: Verdict) -> Verdict | None:
        """The verdicts folded to "ask": answer allow or deny (ask the user), or None to pass."""

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        """After a tool ran: return a replacement result, or None to keep it."""

    def run_tools(self, agent, calls: list, results: list[dict]) -> bool:
        """Take over running a reply's calls (s20 runs read-only ones side by side): append one
        tool_result per call to `results`, in call order, each through `agent.verdict`, the tool and
        `agent.after_tool`, and return True; False (the default) leaves them to the harness."""
        return False


POINTS = ("on_event", "before_request", "system_prompt", "shape_request", "wrap_model_call", "pre_tool_use",
          "ask", "post_tool_use", "run_tools")
"""The extension points, in the order a turn meets them (`/extensions` lists who plugs into each)."""


def points_of(extension: Extension) -> list[str]:
    """The points `extension` overrides."""
    return [point for point in POINTS
            if getattr(type(extension), point, None) is not getattr(Extension, point)]
