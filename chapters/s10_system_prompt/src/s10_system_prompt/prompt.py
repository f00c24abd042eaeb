"""Chapter 10: the system prompt, assembled from ordered sections and built for the prompt cache.

From s02 on the prompt is a list of named sections (each extension's `system_prompt`), sent as one
text block each. `SystemPrompt` shapes them at s02's `shape_request` point, the one place every
request is made (so `/context`, `/prompt` and compaction see exactly what is sent):
- its own sections join the others': a static identity, the tool guidance (each tool's own `tip`),
  the CLAUDE.md chain and the environment (claude_md.py, environment.py);
- the sections go in a fixed order (sections.py): a **static** part (the same for every session)
  then a **dynamic** part (skills, memory, CLAUDE.md, environment: this session's);
- the CLAUDE.md chain and the environment are read once, at SessionStart, so the prompt stays
  byte-identical for the whole session;
- `cache_control` breakpoints go at the end of the static part, at the end of the system prompt and
  on the last message, so each request reads everything the previous one sent from the cache;
- the tool definitions keep the order of the first request, however the registry changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pydantic import TypeAdapter
from rich.text import Text

from s01_agent_loop.agent import message_blocks
from s01_agent_loop.cli import SlashCommand
from s01_agent_loop.model import MAX_BREAKPOINTS, count_breakpoints
from s02_tool_use.extension import Extension, Section
from s02_tool_use.harness import EPHEMERAL, Request

from . import claude_md, environment
from .sections import IDENTITY, arrange, is_static, tool_guidance


@dataclass
class Snapshot:
    """What the dynamic part is made of, read at the start of a session."""

    claude_md: claude_md.ClaudeMd
    environment: environment.Environment


SNAPSHOT = TypeAdapter(Snapshot)  # a Snapshot to JSON-able data and back (a saved session keeps it)


class SystemPrompt(Extension):
    def __init__(self, home: Path | None = None, snapshot: Snapshot | None = None):
        self.home = home  # the user's CLAUDE.md is <home>/.claude/CLAUDE.md; None: the user's home
        self.snapshot = snapshot  # None until the session starts (or /prompt asks first)
        self.inherited = snapshot is not None  # a subagent's: the parent's snapshot, never re-read
        self.tool_order: list[str] = []  # tool names in the order the first request sent them
        self.breakpoints: list[str] = []  # where the last request's breakpoints were, for /prompt
        self.usage = {"requests": 0, "input": 0, "cache_read": 0, "cache_write": 0}  # this session

    def for_subagent(self) -> SystemPrompt:
        """A child gets the same sections and breakpoints over its own tools and extensions (its
        type's instructions are one more static section), from the parent's snapshot: same
        CLAUDE.md, same environment, no second read."""
        return SystemPrompt(self.home, self.snapshot)

    # -----------------------------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and not self.inherited:
            self.take_snapshot(agent)
            for warning in self.snapshot.claude_md.warnings:
                agent.view.notice(Text(f"CLAUDE.md: {warning}", style="yellow"))

    def take_snapshot(self, agent) -> Snapshot:
        """Read the CLAUDE.md chain and the environment now; a new session (SessionStart) reads again."""
        self.snapshot = Snapshot(claude_md.read_chain(agent.workdir, self.home),
                                 environment.read_environment(agent.workdir))
        self.usage = dict.fromkeys(self.usage, 0)
        return self.snapshot

    def session_state(self, agent) -> dict | None:
        """The snapshot and the tool order (s02's `Extension.session_state`): a resumed session
        (full's `--continue`) sends the same system prompt and tools as before the exit, so the
        cache still hits, however CLAUDE.md, the date or git changed meanwhile."""
        if self.inherited or self.snapshot is None:
            return None
        return {"snapshot": SNAPSHOT.dump_python(self.snapshot, mode="json"), "tool_order": list(self.tool_order)}

    def restore_session(self, agent, state: dict) -> None:
        self.snapshot = SNAPSHOT.validate_python(state["snapshot"])
        self.tool_order = list(state["tool_order"])

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import show_prompt

        return {"prompt": SlashCommand("the system prompt's sections and sizes; /prompt NAME shows one",
                                       partial(show_prompt, self))}

    def shape_request(self, agent, request: Request) -> None:
        # 1. the sections: s02's identity names the work dir, so ours replaces it (the work dir moves
        #    to the environment section); the tool guidance and this session's snapshot join the rest
        #    (the tool guidance in the tools' stable order, step 2, so it too stays the same)
        snapshot = self.snapshot or self.take_snapshot(agent)
        request.tools = self.stable_order(request.tools)
        registry = agent.tools.tools
        ordered = [registry[name] for name in self.tool_order if name in registry]
        own = [Section("identity", IDENTITY), Section("tool_guidance", tool_guidance(ordered) or ""),
               Section("claude_md", claude_md.render(snapshot.claude_md, agent.workdir) or ""),
               Section("environment", environment.render(snapshot.environment))]
        given = [section for section in request.sections if section.name != "identity"]
        sections = arrange([section for section in [*own, *given] if section.text])
        # 2. the tool definitions in a stable order (done above: the order of the first request)
        # 3. the breakpoints, in order of worth: the static part serves every session, the last
        #    message every next turn, the end of the system prompt whatever survives a compaction
        n_static = sum(map(is_static, sections))
        wanted = [("static end", n_static - 1), *([("last message", None)] if request.messages else [])]
        if len(sections) > n_static:
            wanted.append(("system end", len(sections) - 1))
        request.sections = sections
        free = MAX_BREAKPOINTS - count_breakpoints(request.params())  # subtle: the API refuses a fifth
        chosen = wanted[: max(0, free)]
        for _, index in chosen:
            if index is None:
                request.messages = mark_last(request.messages)
            else:
                sections[index] = Section(sections[index].name, sections[index].text, cache=True)
        self.breakpoints = [where for where, _ in chosen]

    def wrap_model_call(self, agent, request: dict, call_next):
        reply = call_next(request)
        self.record(getattr(reply, "usage", None))
        return reply

    def stable_order(self, tools: list[dict]) -> list[dict]:
        """`tools` with the names seen before in their first order, new ones after them.
        subtle: the tool definitions open the cached prefix, so one that moves makes the whole
        request a miss; and a tool removed and added again (an MCP server that reconnects) moves
        to the end of the registry's dict."""
        by_name = {tool["name"]: tool for tool in tools}
        self.tool_order += [name for name in by_name if name not in self.tool_order]
        return [by_name[name] for name in self.tool_order if name in by_name]

    def record(self, usage) -> None:
        """Add a reply's usage to this session's totals (what `/prompt` reports)."""
        if usage is None:
            return
        read = getattr(usage, "cache_read_input_tokens", None) or 0
        write = getattr(usage, "cache_creation_input_tokens", None) or 0
        self.usage["requests"] += 1
        self.usage["input"] += (getattr(usage, "input_tokens", None) or 0) + read + write
        self.usage["cache_read"] += read
        self.usage["cache_write"] += write


# ---------------------------------------------------------------------------------------------


def mark_last(messages: list[dict]) -> list[dict]:
    """A copy of `messages` whose last content block carries a breakpoint. subtle: never mark
    `agent.messages` itself: each turn would add a marker, and the API refuses a fifth."""
    if not messages:
        return messages
    *earlier, last = messages
    blocks = message_blocks(last)
    blocks[-1] = {**blocks[-1], "cache_control": EPHEMERAL}
    return [*earlier, {**last, "content": blocks}]
