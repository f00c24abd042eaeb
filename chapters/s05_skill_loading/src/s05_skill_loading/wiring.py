"""This chapter's agent in one screen: the previous chapter's agent plus Skills."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from s01_agent_loop.cli import Session
from s04_subagent.wiring import CHAPTER as PREVIOUS
from s04_subagent.wiring import build as build_previous

from .skills import Skills


def build(session: Session):
    agent = build_previous(session)
    agent.use(Skills())
    return agent


CHAPTER = replace(
    PREVIOUS,
    name="s05_skill_loading",
    title="skills loaded on demand",
    build=build,
    scenario=Path(__file__).with_name("demo.yaml"),
)
