"""Chapter 15's agent in one screen (being written: for now chapter 14's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s14_cron_scheduler.wiring import CHAPTER as PREVIOUS
from s14_cron_scheduler.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s15_agent_teams", title="agent teams", build=build, here=__file__)
