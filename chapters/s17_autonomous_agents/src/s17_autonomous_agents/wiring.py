"""Chapter 17's agent in one screen (being written: for now chapter 16's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s16_team_protocols.wiring import CHAPTER as PREVIOUS
from s16_team_protocols.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s17_autonomous_agents", title="autonomous agents", build=build, here=__file__)
