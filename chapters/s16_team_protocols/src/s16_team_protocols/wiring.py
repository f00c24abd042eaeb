"""Chapter 16's agent in one screen (being written: for now chapter 15's agent)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s15_agent_teams.wiring import CHAPTER as PREVIOUS
from s15_agent_teams.wiring import build as build_previous


def build(session: Session):
    agent = build_previous(session)
    return agent


CHAPTER = PREVIOUS.extend(name="s16_team_protocols", title="team protocols", build=build, here=__file__)
