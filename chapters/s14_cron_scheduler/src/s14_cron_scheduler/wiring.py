"""Chapter 14's agent in one screen (being written: for now chapter 13's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s13_background_tasks.wiring import CHAPTER as PREVIOUS
from s13_background_tasks.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s14_cron_scheduler", title="cron_scheduler", build=build, here=__file__)
