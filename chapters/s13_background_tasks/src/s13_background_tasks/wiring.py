"""Chapter 13's agent in one screen (being written: for now chapter 12's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s12_task_system.wiring import CHAPTER as PREVIOUS
from s12_task_system.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s13_background_tasks", title="background_tasks", build=build, here=__file__)
