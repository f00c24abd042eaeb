"""Chapter 5's agent in one screen: chapter 4's agent plus `Skills` (the catalog in the system
prompt, the `Skill` tool, `/skills`). The demo lays example skills over the sample
project (`demo_overlay/.claude/skills/`)."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s04_subagent.wiring import CHAPTER as PREVIOUS
from s04_subagent.wiring import build as build_previous

from .skills import Skills


def build(session: Session):
    agent = build_previous(session)
    agent.use(Skills())
    return agent


CHAPTER = PREVIOUS.extend(
    name="s05_skill_loading",
    title="skills loaded on demand",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
)
