"""Chapter 9's agent in one screen: chapter 8's agent plus `Memory`."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s08_hook_system.wiring import CHAPTER as PREVIOUS
from s08_hook_system.wiring import build as build_previous

from .memory import Memory


def build(session: Session):
    agent = build_previous(session)
    agent.use(Memory())
    return agent


CHAPTER = PREVIOUS.extend(name="s09_memory_system", title="memory system", build=build, here=__file__)
