"""Chapter 4: subagents. The `Task` tool hands a job to a child agent with a fresh context.

`Task{description, prompt, subagent_type}` starts a child: the same loop (s02's `Harness`) with an
empty message list, its own tools (never `Task`: no recursion), its own cap on model calls and its
type's instructions. Only the child's final text comes back, as the Task tool_result: a search that
reads ten files costs the parent one paragraph of context.

What a child inherits is each extension's own call (s02's `Extension.for_subagent`): `self` if it
keeps no per-agent state and may be shared, a fresh instance if it does, or None (the default) to
stay out. An extension left out (like s03's TodoPlanner) takes its tools with it: a child's
TodoWrite would edit the parent's plan.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rich.padding import Padding
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s01_agent_loop.errors import TurnLimit
from s02_tool_use import Extension, Harness
from s02_tool_use.extension import Section
from s02_tool_use.paths import display_path
from s02_tool_use.tools import Tool, ToolContext, ToolError

from .agent_types import BUILT_IN_TYPES, GENERAL_PURPOSE, AgentCatalog, AgentType, Isolation, load_agent_types

TASK = "Task"
DEFAULT_MAX_TURNS = 25

TASK_DESCRIPTION = """Launch a subagent to do a task on its own, with a fresh context. It sees none of
this conversation, only your prompt, and all its work comes back to you as one message: its final
report. Use it for searches and jobs whose intermediate output you do not need to keep, and run
several when they are independent. Write the prompt as a complete brief: what to do, what to report,
and whether to change files or only look. The report is not shown to the user: pass on what matters.

Available agent types and the tools they have:
{types}"""

SUBAGENT_NOTE = """You are a subagent of type {name}, started by another agent for one task. It sees
nothing of your work but your final message, so end with a complete, self-contained report."""


class TaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = Field(description="A short (3-5 word) description of the task, shown to the user.")
    prompt: str = Field(description="The complete task for the agent, and what it should report back.")
    subagent_type: str = Field(GENERAL_PURPOSE.name, description="The type of agent to use (see the list).")

    @field_validator("description", "prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        # subtle: a blank prompt would be the child's first message: an empty text block, which the API refuses
        if not value.strip():
            raise ValueError("must not be empty or blank")
        return value


class Instructions(Extension):
    """The child's own section of the system prompt: it is a subagent, and its type's instructions
    (and where it works, when an isolation gave it a work dir of its own).
    subtle: appended to the harness identity (work dir, how to use the tools), not replacing it."""

    def __init__(self, agent_type: AgentType, where: str = ""):
        self.agent_type = agent_type
        self.where = where

    def system_prompt(self, agent) -> Section:
        return Section("subagent", "\n\n".join(filter(None, [SUBAGENT_NOTE.format(name=self.agent_type.name),
                                                             self.where, self.agent_type.prompt])))


# ---------------------------------------------------------------------------------------------


class Subagents(Extension):
    """The `Task` tool, the agent types it offers, and the `SubagentStop` event on the parent."""

    def __init__(self, max_turns: int = DEFAULT_MAX_TURNS, home: Path | None = None):
        self.max_turns = max_turns
        """The most model calls one child may make; 0 means no limit."""
        self.home = home  # user agent files are in <home>/.claude/agents; None: the user's home
        self.catalog: AgentCatalog | None = None  # read once the agent is assembled (see `load`)
        self.isolations: dict[str, Isolation] = {}
        """What a later chapter offers for an agent type's `isolation` (s18: "worktree")."""

    def tools(self) -> list[Tool]:
        types = self.catalog.types.values() if self.catalog else BUILT_IN_TYPES
        listing = "\n".join(f"- {t.name}: {t.description} (Tools: {', '.join(t.tools) if t.tools is not None else 'all'}"
                            f"{'; works in a git worktree of its own' if t.isolation else ''})" for t in types)
        return [Tool(TASK, TASK_DESCRIPTION.format(types=listing), TaskInput, self.run_task, kind="internal",
                     tip="Hand broad searches and self-contained jobs to a subagent with Task; it returns one report.")]

    def commands(self) -> dict[str, SlashCommand]:
        return {"agents": SlashCommand("list the agent types Task can start, and where they come from",
                                       partial(show_agents, self))}

    def load(self, agent) -> AgentCatalog:
        """Read the agent types once, when every chapter has plugged its tools in (so a file may name
        a tool a later chapter adds): at the first prompt, or at /agents if that comes first."""
        if self.catalog is None:
            known = [tool.name for tool in child_parts(agent)[0]]
            self.catalog = load_agent_types(agent.workdir, known, self.home)
            agent.tools.add(*self.tools())  # the Task description now lists every type
        return self.catalog

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and self.catalog is None:
            for warning in self.load(agent).warnings:
                agent.view.notice(Text(f"warning: {warning} (skipped)", style="yellow"))

    def run_task(self, args: TaskInput, ctx: ToolContext) -> str:
        """The `Task` tool: run a child to the end and return its final text."""
        parent = ctx.agent
        agent_type = self.load(parent).types.get(args.subagent_type)
        if agent_type is None:
            known = ", ".join(self.catalog.types)
            raise ToolError(f"Unknown subagent_type {args.subagent_type!r}. Available types: {known}.")
        isolation = self.isolation_for(agent_type)
        parent.view.show(Text.assemble(("▸ ", "magenta"), (f"Task({agent_type.name})", "bold magenta"),
                                       f": {args.description}"))
        # 1. a new Harness: fresh messages, the parent's raw model, its own tools, cap and view; a
        #    work dir of its own if its type asks for isolation (made here, kept or cleaned at the end)
        workdir, where = isolation.enter(parent, agent_type, args.description) if isolation else (parent.workdir, "")
        child = self.spawn(parent, agent_type, workdir, where)
        # 2. the same loop, on the prompt alone; the cap stops it with what it has so far
        try:
            answer = child.run(args.prompt)
        except TurnLimit:
            note = f"[The subagent hit its limit of {child.config.max_turns} model calls before it finished; " \
                   "this is what it had so far.]"
            answer = f"{last_text(child)}\n\n{note}"
        finally:
            left = isolation.leave(parent, workdir) if isolation else ""
        answer = "\n\n".join(filter(None, [answer.strip() or "(The subagent finished without a final message.)", left]))
        # 3. tell the user, and the parent's extensions; only `answer` reaches the parent's context
        counts = f"{count(child.n_turns, 'model call')}, {count(child.n_tool_calls, 'tool call')}"
        parent.view.show(Text(f"◂ {agent_type.name} done: {counts}; {len(answer)} characters back to the parent",
                              style="dim magenta"))
        parent.emit("SubagentStop", agent_type=agent_type.name, description=args.description)
        return answer

    def isolation_for(self, agent_type: AgentType) -> Isolation | None:
        """What gives this type's children a work dir of their own: None for the parent's; a
        ToolError when the type asks for an isolation that nothing here offers."""
        if agent_type.isolation is None:
            return None
        if (offered := self.isolations.get(agent_type.isolation)) is None:
            raise ToolError(f"The agent type {agent_type.name} asks for isolation: {agent_type.isolation}, which this "
                            "harness does not offer; use another type.")
        return offered

    def spawn(self, parent, agent_type: AgentType, workdir: Path | None = None, where: str = "") -> Harness:
        """Build the child from the parent: its model, config, work dir (the parent's unless given),
        tools and extensions."""
        tools, extensions = child_parts(parent)
        config = parent.config.model_copy(update={"max_turns": self.max_turns,
                                                  "model": agent_type.model or parent.config.model})
        # subtle: `parent.model` is the raw model; the child's own extensions wrap its calls
        child = Harness(parent.model, config, workdir or parent.workdir, parent.view.nested(), tools=tools,
                        extensions=[Instructions(agent_type, where), *extensions])
        if agent_type.tools is not None:
            child.tools.remove(*(name for name in list(child.tools.tools) if name not in agent_type.tools))
        return child


# ---------------------------------------------------------------------------------------------


def child_parts(parent) -> tuple[list[Tool], list[Extension]]:
    """What any child inherits: the extensions that opt in (each `for_subagent()`), and the parent's
    tools except `Task` and those of the extensions left behind."""
    extensions, private = [], {TASK}
    for extension in parent.extensions:
        inherited = extension.for_subagent()
        if inherited is None:
            private |= {tool.name for tool in extension.tools()}
        else:
            extensions.append(inherited)
    tools = [tool for name, tool in parent.tools.tools.items() if name not in private]
    return tools, extensions


def count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


def last_text(agent) -> str:
    """The text of the agent's latest assistant message that has any."""
    for message in reversed(agent.messages):
        if message["role"] == "assistant":
            text = "\n".join(block["text"] for block in message["content"] if block["type"] == "text").strip()
            if text:
                return text
    return ""


def show_agents(subagents: Subagents, agent, argument: str, console) -> None:
    """The `/agents` slash command: every agent type, where it came from, its tools and model."""
    catalog = subagents.load(agent)
    every_tool = [tool.name for tool in child_parts(agent)[0]]
    for t in catalog.types.values():
        where = t.source if t.path is None else f"{t.source} {display_path(agent.workdir, t.path)}"
        tools = ", ".join(every_tool if t.tools is None else t.tools)
        isolated = f" · isolation: {t.isolation}" if t.isolation else ""
        console.print(Text.assemble((t.name, "bold magenta"), f"  {where} · model: {t.model or 'inherit'}{isolated} · ",
                                    (f"tools: {tools}", "dim")))
        console.print(Padding(Text(t.description), (0, 0, 0, 4)))
    for warning in catalog.warnings:
        console.print(Text(f"skipped {warning}", style="yellow"))
