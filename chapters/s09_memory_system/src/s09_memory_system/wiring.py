"""Chapter 9's agent in one screen: chapter 8's agent plus `Memory` (the `memory` tool, the index
in the system prompt), and the `/memory` and `/clear` commands. Its demo runs on the project of
s07's demo (its permission rules), without s08's demo hooks."""

from __future__ import annotations

from dataclasses import replace

from s01_agent_loop.cli import Session, SlashCommand
from s07_permission_system.permissions import Permissions
from s07_permission_system.wiring import CHAPTER as S07
from s08_hook_system.wiring import CHAPTER as PREVIOUS
from s08_hook_system.wiring import build as build_previous

from .commands import clear_conversation, show_memory
from .memory import TOOL, Memory


def build(session: Session):
    agent = build_previous(session)
    agent.use(Memory())
    Permissions.of(agent).kinds[TOOL] = "internal"  # it writes only the harness's own state
    return agent


COMMANDS = {
    "memory": SlashCommand("list the memories, and which ones this session's prompt holds", show_memory),
    "clear": SlashCommand("start a new conversation: empty history; memory and the other session state reload",
                          clear_conversation),
}

# the demo runs on s07's demo project (its settings.json), not with s08's demo hooks: it is about memory
CHAPTER = replace(PREVIOUS.extend(name="s09_memory_system", title="memory across sessions", build=build,
                                  here=__file__, commands=COMMANDS), overlays=S07.overlays)
