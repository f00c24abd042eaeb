"""Chapter 18's agent in one screen (being written: for now chapter 17's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s17_autonomous_agents.wiring import CHAPTER as PREVIOUS
from s17_autonomous_agents.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s18_worktree_task_isolation", title="worktree task isolation", build=build, here=__file__)
