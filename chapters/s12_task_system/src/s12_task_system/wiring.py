"""Chapter 12's agent in one screen (being written: for now chapter 11's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s11_error_recovery.wiring import CHAPTER as PREVIOUS
from s11_error_recovery.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s12_task_system", title="the task system", build=build, here=__file__)
