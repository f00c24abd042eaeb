"""Chapter 4's agent in one screen: chapter 3's agent plus `Subagents` (the `Task` tool, its agent
types, `/agents`). The demo lays a custom agent type over the sample project
(`demo_overlay/.claude/agents/reviewer.md`)."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s03_todo_write.wiring import CHAPTER as PREVIOUS
from s03_todo_write.wiring import build as build_previous

from .subagents import Subagents


def build(session: Session):
    agent = build_previous(session)
    agent.use(Subagents())
    return agent


CHAPTER = PREVIOUS.extend(
    name="s04_subagent",
    title="subagents with a fresh context",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
)
