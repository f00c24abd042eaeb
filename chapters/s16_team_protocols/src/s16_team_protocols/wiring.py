"""Chapter 16's agent in one screen: chapter 15's agent plus `TeamProtocols` on whichever member it
is: for the lead, shutdown requests, plan approvals and /requests; for a teammate, the answers, and
ExitPlanMode. A teammate is built by this same `build` (s15), so it has the protocols too."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s15_agent_teams.member import TeamMember
from s15_agent_teams.wiring import CHAPTER as PREVIOUS
from s15_agent_teams.wiring import build as build_previous

from .protocols import TeamProtocols


def build(session: Session):
    agent = build_previous(session)
    agent.use(TeamProtocols(TeamMember.of(agent)))  # the TeamLead, or the teammate's TeamMember
    return agent


CHAPTER = PREVIOUS.extend(name="s16_team_protocols", title="team protocols", build=build, here=__file__)
