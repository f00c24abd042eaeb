"""Chapter 10: the system prompt, assembled from ordered sections and built for the prompt cache.

Until now s02's `Harness.system_prompt` joined the identity and every extension's section into one
string, rebuilt for each request. `SystemPrompt` takes over the request at `wrap_model_call`:
- the prompt becomes a list of text blocks, one per section (sections.py), in a fixed order:
  a **static** part (identity, tool guidance: the same for every session) then a **dynamic** part
  (skills, memory, the CLAUDE.md chain, the environment: this session's);
- the CLAUDE.md chain and the environment are read once, at SessionStart, so the prompt stays
  byte-identical for the whole session;
- `cache_control` breakpoints go at the end of the static part, at the end of the system prompt and
  on the last message, so each request reads everything the previous one sent from the cache;
- the tool definitions keep the order of the first request, however the registry changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text

from s01_agent_loop.scripted.protocol import MAX_BREAKPOINTS, count_breakpoints
from s02_tool_use.harness import Extension
from s05_skill_loading.skills import Skills
from s09_memory_system.memory import Memory

from . import claude_md, environment
from .sections import IDENTITY, ORDER, Section, tool_guidance

EPHEMERAL = {"type": "ephemeral"}


@dataclass
class Snapshot:
    """What the dynamic part is made of, read at the start of a session."""

    claude_md: claude_md.ClaudeMd
    environment: environment.Environment


class SystemPrompt(Extension):
    def __init__(self, home: Path | None = None, snapshot: Snapshot | None = None):
        self.home = home  # the user's CLAUDE.md is <home>/.claude/CLAUDE.md; None: the user's home
        self.snapshot = snapshot  # None until the session starts (or /prompt asks first)
        self.inherited = snapshot is not None  # a subagent's: the parent's snapshot, never re-read
        self.tool_order: list[str] = []  # tool names in the order the first request sent them
        self.breakpoints: list[str] = []  # where the last request's breakpoints were, for /prompt
        self.usage = {"requests": 0, "input": 0, "cache_read": 0, "cache_write": 0}  # this session

    def system_prompt(self, agent) -> None:
        """Nothing: this extension builds the whole prompt itself, in `wrap_model_call`."""
        return None

    def for_subagent(self) -> SystemPrompt:
        """A child gets the same sections and breakpoints over its own tools and extensions (its
        type's instructions join the tool guidance), from the parent's snapshot: same CLAUDE.md,
        same environment, no second read."""
        return SystemPrompt(self.home, self.snapshot)

    # -----------------------------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and not self.inherited:
            self.take_snapshot(agent)
            for warning in self.snapshot.claude_md.warnings:
                agent.view.show(Text(f"CLAUDE.md: {warning}", style="yellow"))

    def take_snapshot(self, agent) -> Snapshot:
        """Read the CLAUDE.md chain and the environment now; a new session (SessionStart) reads again."""
        self.snapshot = Snapshot(claude_md.read_chain(agent.workdir, self.home),
                                 environment.read_environment(agent.workdir))
        self.usage = dict.fromkeys(self.usage, 0)
        return self.snapshot

    def sections(self, agent) -> list[Section]:
        """The non-empty sections, in `ORDER`."""
        snapshot = self.snapshot or self.take_snapshot(agent)
        skills = memory = None
        others = []
        for extension in agent.extensions:
            text = extension.system_prompt(agent) if extension is not self else None
            if not text:
                continue
            if isinstance(extension, Skills):
                skills = text
            elif isinstance(extension, Memory):
                memory = text
            else:
                others.append(text)
        texts = {
            "identity": IDENTITY,
            "tool_guidance": tool_guidance(agent.tools.tools, others),
            "skills": skills,
            "memory": memory,
            "claude_md": claude_md.render(snapshot.claude_md, agent.workdir),
            "environment": environment.render(snapshot.environment),
        }
        return [Section(name, texts[name]) for name in ORDER if texts[name]]

    def wrap_model_call(self, agent, request: dict, call_next):
        # 1. the system prompt as one text block per section, replacing s02's single string
        sections = self.sections(agent)
        system = [{"type": "text", "text": section.text} for section in sections]
        # 2. the tool definitions in a stable order
        request = {**request, "system": system, "tools": self.stable_order(request.get("tools") or [])}
        # 3. the breakpoints, in order of worth: the static part serves every session, the last
        # message every next turn, the end of the system prompt whatever survives a compaction
        n_static = sum(section.static for section in sections)
        wanted = [("static end", n_static - 1), ("last message", None)]
        if len(system) > n_static:
            wanted.append(("system end", len(system) - 1))
        free = MAX_BREAKPOINTS - count_breakpoints(request)  # subtle: the API refuses a fifth
        self.breakpoints = [where for where, _ in wanted[: max(0, free)]]
        for _, index in wanted[: max(0, free)]:
            if index is None:
                request["messages"] = mark_last(request["messages"])
            else:
                system[index] = {**system[index], "cache_control": EPHEMERAL}
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
    *earlier, last = messages
    content = last["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
    blocks[-1] = {**blocks[-1], "cache_control": EPHEMERAL}
    return [*earlier, {**last, "content": blocks}]
