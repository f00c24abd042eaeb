"""Chapter 2: from one loop to a harness.

s01's `Agent` knew one tool and nothing else. `Harness` keeps its loop (it subclasses it and
overrides a few methods) and opens it up in two ways:
- a `ToolRegistry`, so tools are declared once, validated by pydantic, and failures become results;
- `Extension`s (extension.py), capabilities that plug into named points of the loop. Every later
  chapter is an extension (or a tool) plugged in here; none of them copies the loop.

Three places hold the harness together, one each:
- `request()` assembles and shapes every request: whatever shows a request (`/context`, `/prompt`,
  compaction, recovery) calls it and sees what the model gets;
- `call_model()` runs the model call inside every extension's `wrap_model_call`;
- `verdict()` folds what the extensions say about a tool call (deny > ask > allow).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ConfigDict

from s01_agent_loop.agent import Agent, AgentConfig
from s01_agent_loop.cli.chapter import SlashCommand
from s01_agent_loop.errors import AgentStop

from .extension import Extension, Outcome, Section, Verdict, fold
from .tools import ToolCall, ToolContext, ToolRegistry, ToolResult

IDENTITY = """You are a coding agent working in the folder {workdir}; every path is relative to it.
Read before you change: use read_file, glob and grep to look, edit_file for small changes and
write_file for new files; use bash to run commands and tests. Check your work, and finish with a
short answer that says what you did."""

EPHEMERAL = {"type": "ephemeral"}


PermissionMode = Literal["default", "acceptEdits", "plan", "bypassPermissions"]


class HarnessConfig(AgentConfig):
    model_config = ConfigDict(validate_assignment=True)  # `/mode sideways` is refused, not stored

    permission_mode: PermissionMode = "default"
    """Claude Code's permission mode for the session. s02 runs every call; s07's gate gives the
    modes their meaning, s08's hooks report it to the user's hook commands."""


class PromptBlocked(AgentStop):
    """A UserPromptSubmit extension refused the prompt."""


@dataclass
class Request:
    """The next request in named parts, before it is sent; `params()` is what is sent."""

    model: str
    max_tokens: int
    sections: list[Section]
    tools: list[dict]
    messages: list[dict]

    def params(self) -> dict:
        """The keyword arguments of `client.messages.create`: each section one text block."""
        system = [{"type": "text", "text": s.text, **({"cache_control": EPHEMERAL} if s.cache else {})}
                  for s in self.sections]
        return {"model": self.model, "max_tokens": self.max_tokens, "system": system,
                "messages": self.messages, "tools": self.tools}


# ---------------------------------------------------------------------------------------------


class Harness(Agent):
    def __init__(self, model, config, workdir, view=None, tools=(), extensions=()):
        if not isinstance(config, HarnessConfig):
            config = HarnessConfig(**config.model_dump())
        super().__init__(model, config, workdir, view)  # subtle: `self.model` stays the raw model
        self.tools = ToolRegistry().add(*tools)
        self.extensions: list[Extension] = []  # in order: each point meets them first to last
        self.started = False  # SessionStart fires before the first prompt
        self.pending_context: list[str] = []  # event context waiting for the next accepted prompt
        self.stop_hook_active = False  # a Stop block is being answered
        for extension in extensions:
            self.use(extension)

    def use(self, extension: Extension, *, before: type[Extension] | None = None,
            outermost: bool = False) -> Harness:
        """Plug a capability in: its tools join the registry, its methods join the loop.
        Extensions meet each point in the order they were plugged in (`post_tool_use` in reverse,
        on the way back out), unless told otherwise:
        `outermost=True` puts this one first (its `wrap_model_call` wraps all the others);
        `before=Permissions` puts it ahead of that class's extension."""
        ahead = before.of(self) if before else None
        position = 0 if outermost else self.extensions.index(ahead) if ahead else len(self.extensions)
        self.extensions.insert(position, extension)
        self.tools.add(*extension.tools())
        return self

    def drop(self, kind: type[Extension]) -> Harness:
        """Unplug the extension of class `kind`, and its tools: a later capability that replaces an
        earlier one (s12's task board replaces s03's TodoWrite plan, as in Claude Code 2.x)."""
        if (extension := kind.of(self)) is not None:
            self.extensions.remove(extension)
            self.tools.remove(*(tool.name for tool in extension.tools()))
        return self

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import clear_conversation, show_extensions

        found = {"extensions": SlashCommand("which extension runs at which point, in order", show_extensions),
                 "clear": SlashCommand("start a new conversation: empty history, session state reset",
                                       clear_conversation)}
        for extension in self.extensions:
            found |= extension.commands()
        return found

    # the session -----------------------------------------------------------------------------

    def run(self, prompt: str) -> str:
        if not self.started:
            self.started = True
            self.pending_context += self.emit("SessionStart", source="startup").context
        submitted = self.emit("UserPromptSubmit", prompt=prompt)
        if submitted.block:
            raise PromptBlocked(submitted.block)
        context, self.pending_context = self.pending_context + submitted.context, []
        if context:
            self.add_user([{"type": "text", "text": text} for text in context])
        self.stop_hook_active = False
        try:
            return super().run(prompt)
        finally:
            self.emit("TurnEnd")  # however it ended: an answer, Ctrl-C, an error

    def new_session(self) -> None:
        """A new conversation in this process (`/clear`): the history goes, and SessionStart fires
        again with source "clear", where each extension resets what belonged to the old one."""
        self.messages.clear()
        self.pending_context.clear()
        self.started = True
        self.pending_context += self.emit("SessionStart", source="clear").context

    def resume(self, messages: list[dict], states: dict[str, dict]) -> None:
        """An earlier conversation brought back (full's `--continue`): its messages, SessionStart
        with source "resume", then each extension's `restore_session` with what its `session_state`
        gave then (`states`, by class name), over whatever its SessionStart read now."""
        self.messages[:] = messages
        self.pending_context.clear()
        self.started = True
        context = self.emit("SessionStart", source="resume").context
        for extension in self.extensions:
            if (state := states.get(type(extension).__name__)) is not None:
                extension.restore_session(self, state)
        self.pending_context += context

    def session_states(self) -> dict[str, dict]:
        """Each extension's `session_state`, by class name, where it has one."""
        return {type(extension).__name__: state for extension in self.extensions
                if (state := extension.session_state(self)) is not None}

    def close(self) -> None:
        """The session is over: SessionEnd, where extensions stop what they started (s13's commands)."""
        self.emit("SessionEnd", reason="exit")

    def emit(self, event: str, **data) -> Outcome:
        """Tell every extension about an event; the first block wins, contexts add up."""
        outcome = Outcome()
        for extension in self.extensions:
            answer = extension.on_event(self, event, data)
            if answer:
                outcome.block = outcome.block or answer.block
                outcome.context += answer.context
        return outcome

    # the request -----------------------------------------------------------------------------

    def query(self):
        for extension in self.extensions:
            extension.before_request(self)
        return super().query()

    def draft(self) -> Request:
        """The next request in named parts: every extension's section, then every `shape_request`."""
        sections = [Section("identity", IDENTITY.format(workdir=self.workdir))]
        sections += [section for ext in self.extensions if (section := ext.system_prompt(self)) and section.text]
        request = Request(self.config.model, self.config.max_tokens, sections, self.tools.specs(), self.messages)
        for extension in self.extensions:
            extension.shape_request(self, request)
        return request

    def request(self) -> dict:
        """The next request exactly as it will be sent: the one place a request is made."""
        return self.draft().params()

    def call_model(self, request: dict):
        """The model call inside every extension's `wrap_model_call`, the first one outermost."""

        def call(index: int, request: dict):
            if index == len(self.extensions):
                return Agent.call_model(self, request)
            extension = self.extensions[index]
            return extension.wrap_model_call(self, request, lambda r: call(index + 1, r))

        return call(0, request)

    # tool calls ------------------------------------------------------------------------------

    def execute(self, block) -> tuple[str | list[dict], bool]:
        """Run one tool call through the extension points and the registry: the result's content
        (text, or text and image blocks: `ToolResult.sent`) and whether it is an error."""
        call = ToolCall(block.id, block.name, block.input)
        # 1. the extensions' verdict: a denial is the result the model gets
        verdict = self.verdict(call)
        if verdict.behavior == "deny":
            return refusal(call, verdict), True
        # 2. the registry validates the input and turns every failure into an error result
        self.view.tool_running(call.name)
        result = self.tools.call(call.name, call.input, ToolContext(self.workdir, self))
        result = self.after_tool(call, result)  # 3. post_tool_use
        return result.sent(), result.is_error

    def after_tool(self, call: ToolCall, result: ToolResult) -> ToolResult:
        """Any extension may rewrite the result, innermost first: the way back out, as in
        wrap_model_call (the gate that judged the call last is the first to see its result)."""
        whole = result.output_file
        try:
            for extension in reversed(self.extensions):
                result = extension.post_tool_use(self, call, result) or result
        finally:
            if whole is not None:  # the whole output, unless an extension kept it (moved it away)
                whole.unlink(missing_ok=True)
        return result

    def run_tools(self, calls: list, results: list[dict]) -> None:
        """A reply's calls: run by the first extension that takes them (s20 runs read-only ones
        side by side), else one after another as in s01."""
        if not any(extension.run_tools(self, calls, results) for extension in self.extensions):
            super().run_tools(calls, results)

    def verdict(self, call: ToolCall) -> Verdict:
        """Ask every extension about the call, fold the answers, and settle an "ask"."""
        return self.settle(call, self.judge(call))

    def judge(self, call: ToolCall) -> Verdict:
        """What the extensions say about the call, folded, before anyone is asked (s20 starts a
        call while the reply still streams only when this is an allow)."""
        said = []
        for extension in self.extensions:
            verdict = extension.pre_tool_use(self, call)
            if verdict is None:
                continue
            if verdict.updated_input is not None:
                call.input = verdict.updated_input  # the extensions after this one judge the new input
            said.append(verdict)
            if verdict.behavior == "deny":
                break  # nothing outranks a deny; the rest need not be asked
        return fold(said)

    def settle(self, call: ToolCall, verdict: Verdict) -> Verdict:
        """An "ask" answered by the first extension that can ask (s07 asks the user), else denied."""
        if verdict.behavior != "ask":
            return verdict
        answers = (ext.ask(self, call, verdict) for ext in self.extensions)
        return next((answer for answer in answers if answer), None) or Verdict(
            "deny", "it needs approval and nothing here can ask for it",
            message=f"Permission to use {call.name} was denied: it needs approval ({verdict.reason}), "
                    "and this harness has no way to ask the user.")

    def finished(self, reply) -> bool:
        if not super().finished(reply):
            return False
        stop = self.emit("Stop", reply=reply, stop_hook_active=self.stop_hook_active)
        if stop.block:
            self.stop_hook_active = True
            self.add_user([{"type": "text", "text": stop.block}])
            return False
        return True


def refusal(call: ToolCall, verdict: Verdict) -> str:
    """The result a denied call gets: the verdict's own message, or the usual one."""
    return verdict.message or f"Permission to use {call.name} was denied: {verdict.reason}."
