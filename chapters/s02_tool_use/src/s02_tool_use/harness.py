"""Chapter 2: from one loop to a harness.

s01's `Agent` knew one tool and nothing else. `Harness` keeps its loop (it subclasses it and
overrides three methods) and opens it up in two ways:
- a `ToolRegistry`, so tools are declared once, validated by pydantic, and failures become results;
- `Extension`s, capabilities that plug into named points of the loop. Every later chapter is an
  extension (or a tool) plugged in here; none of them copies the loop.

The points, in the order a turn meets them (Claude Code's hook events in brackets):
    on_event("SessionStart"), on_event("UserPromptSubmit")   [SessionStart, UserPromptSubmit]
    system_prompt        a section of the system prompt
    before_request       reshape agent.messages before each model request
    wrap_model_call      around each model call (retries, recovery)
    pre_tool_use         deny a tool call or rewrite its input        [PreToolUse]
    post_tool_use        rewrite or annotate a tool result            [PostToolUse]
    on_event("Stop")     the model wants to stop; block to keep going [Stop]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from s01_agent_loop.agent import Agent
from s01_agent_loop.errors import AgentStop

from .tools import Tool, ToolCall, ToolContext, ToolRegistry, ToolResult

IDENTITY = """You are a coding agent working in the folder {workdir}; every path is relative to it.
Read before you change: use read_file, glob and grep to look, edit_file for small changes and
write_file for new files; use bash to run commands and tests. Check your work, and finish with a
short answer that says what you did."""


@dataclass
class Outcome:
    """What extensions answer to an event."""

    block: str | None = None
    """A reason to block what the event announces (a prompt, a stop)."""
    context: list[str] = field(default_factory=list)
    """Text to add to the conversation for the model."""


class PromptBlocked(AgentStop):
    """A UserPromptSubmit extension refused the prompt."""


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

    def system_prompt(self, agent) -> str | None:
        """A section for the system prompt, or None."""

    def before_request(self, agent) -> None:
        """Reshape `agent.messages` before each model request (keep it valid)."""

    def wrap_model_call(self, agent, request: dict, call_next: Callable[[dict], object]):
        """Around each model call: `call_next(request)` makes it and returns the `Message`."""
        return call_next(request)

    def pre_tool_use(self, agent, call: ToolCall) -> str | None:
        """Before a tool runs: return a reason to deny it, or None; may rewrite `call.input`."""

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        """After a tool ran: return a replacement result, or None to keep it."""

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        """A turn or session event (SessionStart, UserPromptSubmit, Stop, ...)."""


# ---------------------------------------------------------------------------------------------


class Harness(Agent):
    def __init__(self, model, config, workdir, view=None, tools=(), extensions=()):
        super().__init__(ExtendedModel(self, model), config, workdir, view)
        self.tools = ToolRegistry().add(*tools)
        self.extensions: list[Extension] = []
        self.started = False  # SessionStart fires before the first prompt
        self.start_source = "startup"  # SessionStart's `source`; a new conversation (s09's /clear) says "clear"
        self.pending_context: list[str] = []  # event context waiting for the next accepted prompt
        self.stop_hook_active = False  # a Stop block is being answered
        for extension in extensions:
            self.use(extension)

    def use(self, extension: Extension, before: type[Extension] | None = None) -> Harness:
        """Plug a capability in: its tools join the registry, its methods join the loop.
        Extensions meet each point in the order they were plugged in; `before=Permissions` puts
        this one ahead of that class's extension (s08's hooks run before s07's permission check)."""
        ahead = before.of(self) if before else None
        position = self.extensions.index(ahead) if ahead else len(self.extensions)
        self.extensions.insert(position, extension)
        self.tools.add(*extension.tools())
        return self

    def run(self, prompt: str) -> str:
        if not self.started:
            self.started = True
            self.pending_context += self.emit("SessionStart", source=self.start_source).context
        submitted = self.emit("UserPromptSubmit", prompt=prompt)
        if submitted.block:
            raise PromptBlocked(submitted.block)
        context, self.pending_context = self.pending_context + submitted.context, []
        if context:
            self.add_user([{"type": "text", "text": text} for text in context])
        self.stop_hook_active = False
        return super().run(prompt)

    def emit(self, event: str, **data) -> Outcome:
        """Tell every extension about an event; the first block wins, contexts add up."""
        outcome = Outcome()
        for extension in self.extensions:
            answer = extension.on_event(self, event, data)
            if answer:
                outcome.block = outcome.block or answer.block
                outcome.context += answer.context
        return outcome

    def system_prompt(self) -> str:
        sections = [IDENTITY.format(workdir=self.workdir)]
        sections += [text for ext in self.extensions if (text := ext.system_prompt(self))]
        return "\n\n".join(sections)

    def request(self) -> dict:
        return super().request() | {"system": self.system_prompt(), "tools": self.tools.specs()}

    def query(self):
        for extension in self.extensions:
            extension.before_request(self)
        return super().query()

    def execute(self, block) -> tuple[str, bool]:
        """Run one tool call through the extension points and the registry."""
        call = ToolCall(block.id, block.name, block.input)
        # 1. any extension may deny the call, or rewrite its input
        for extension in self.extensions:
            reason = extension.pre_tool_use(self, call)
            if reason:
                return reason, True
        # 2. the registry validates the input and turns every failure into an error result
        result = self.tools.call(call.name, call.input, ToolContext(self.workdir, self))
        # 3. any extension may rewrite the result
        for extension in self.extensions:
            result = extension.post_tool_use(self, call, result) or result
        return result.content, result.is_error

    def finished(self, reply) -> bool:
        if not super().finished(reply):
            return False
        stop = self.emit("Stop", reply=reply, stop_hook_active=self.stop_hook_active)
        if stop.block:
            self.stop_hook_active = True
            self.add_user([{"type": "text", "text": stop.block}])
            return False
        return True


class ExtendedModel:
    """The model as the loop sees it: each extension's `wrap_model_call` around the real one."""

    def __init__(self, harness: Harness, model):
        self.harness = harness
        self.inner = model

    def query(self, request: dict, on_text=None):
        def call(index: int, request: dict):
            if index == len(self.harness.extensions):
                return self.inner.query(request, on_text=on_text)
            extension = self.harness.extensions[index]
            return extension.wrap_model_call(self.harness, request, lambda r: call(index + 1, r))

        return call(0, request)
