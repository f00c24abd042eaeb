"""Chapter 15's agent in one screen: chapter 14's agent plus, for the lead, a `TeamLead` (TeamCreate,
SpawnTeammate, SendMessage, /team) and, for a teammate, a `TeamMember` (SendMessage, its mail).

A teammate is built by this same `build`, on a Session of its own (teammate.py) whose options name
it (`--teammate NAME --team T`, hidden): the lead and its teammates are one harness."""

from __future__ import annotations

import argparse

from s01_agent_loop.cli import Session
from s14_cron_scheduler.wiring import CHAPTER as PREVIOUS
from s14_cron_scheduler.wiring import build as build_previous

from .lead import TeamLead
from .member import TeamMember
from .team import Team


def build(session: Session):
    agent = build_previous(session)
    name, team = getattr(session.args, "teammate", None), getattr(session.args, "team", None)
    if name and team:
        member = Team(session.workdir, team).member(name)
        agent.use(TeamMember(name, Team(session.workdir, team), role=member.role if member else ""))
    else:
        # a teammate is built by the chapter being run (a later chapter's teammates have its capabilities)
        teammate_build = session.chapter.build if session.chapter is not None else build
        agent.use(TeamLead(session, teammate_build, runs_as=getattr(session.args, "teammates_as", None) or "thread"))
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--teammates-as", choices=("thread", "process"), metavar="HOW",
                        help="run each teammate in a thread of this process (default) or as a process of its own")
    # hidden: how the lead starts a teammate process (`python -m s15_agent_teams.teammate s15_agent_teams --teammate alice --team T`)
    parser.add_argument("--teammate", metavar="NAME", help=argparse.SUPPRESS)
    parser.add_argument("--team", metavar="TEAM", help=argparse.SUPPRESS)


CHAPTER = PREVIOUS.extend(name="s15_agent_teams", title="agent teams", build=build, here=__file__,
                          add_arguments=add_arguments,
                          demo_args={"clock_start": None, "clock_speed": None})  # s14's demo clock: not here
