"""Chapter 9's agent in one screen: chapter 8's agent plus `Memory` (the `memory` tool, the index
in the system prompt, `/memory`). s02's `/clear` starts a new session, where the memory reloads.
Its demo runs on the project of s07's demo (its permission rules), without s08's demo hooks."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s07_permission_system.wiring import CHAPTER as S07
from s08_hook_system.wiring import CHAPTER as PREVIOUS
from s08_hook_system.wiring import build as build_previous

from .memory import Memory


def build(session: Session):
    agent = build_previous(session)
    agent.use(Memory())
    return agent


# the demo runs on s07's demo project (its settings.json), not with s08's demo hooks: it is about memory
CHAPTER = PREVIOUS.extend(name="s09_memory_system", title="memory across sessions", build=build, here=__file__,
                          overlays=S07.overlays, inherit_overlays=False)
