"""Chapter 3's agent in one screen: chapter 2's harness plus a `TodoPlanner` (with its `/todos`)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s02_tool_use.wiring import CHAPTER as PREVIOUS
from s02_tool_use.wiring import build as build_previous

from .planner import TodoPlanner


def build(session: Session):
    agent = build_previous(session)
    agent.use(TodoPlanner())
    return agent


CHAPTER = PREVIOUS.extend(name="s03_todo_write", title="planning with TodoWrite", build=build, here=__file__)
