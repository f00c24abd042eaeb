"""Chapter 10's agent in one screen: chapter 9's agent plus `SystemPrompt` (the sectioned prompt,
the CLAUDE.md chain, the environment snapshot, the cache breakpoints, `/prompt`). The demo lays
a CLAUDE.md that imports docs/style.md (which imports docs/naming.md) and a CLAUDE.local.md over
the sample project (`demo_overlay/`)."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s09_memory_system.wiring import CHAPTER as PREVIOUS
from s09_memory_system.wiring import build as build_previous

from .prompt import SystemPrompt


def build(session: Session):
    agent = build_previous(session)
    agent.use(SystemPrompt())
    return agent


CHAPTER = PREVIOUS.extend(
    name="s10_system_prompt",
    title="system prompt",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
)
