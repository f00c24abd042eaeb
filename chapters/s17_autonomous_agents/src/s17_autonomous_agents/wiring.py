"""Chapter 17's agent in one screen: chapter 16's agent plus `Autonomy` on whichever member it is:
a teammate finds its own work when idle (mail, else a ready task it claims on the board), passes
the TeammateIdle and TaskCompleted hooks, and stops after `--idle-timeout` seconds with nothing to
do; the lead is told to hand work out through the board. A teammate process gets the same timeout.
The demo lays the project's TeammateIdle and TaskCompleted hooks over the sample project."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session
from s12_task_system.board import TaskBoard
from s15_agent_teams.lead import TeamLead
from s15_agent_teams.member import TeamMember
from s16_team_protocols.wiring import CHAPTER as PREVIOUS
from s16_team_protocols.wiring import build as build_previous

from .autonomy import IDLE_TIMEOUT, Autonomy

DEMO_IDLE_TIMEOUT = 1.0


def build(session: Session):
    agent = build_previous(session)
    member = TeamMember.of(agent)  # the TeamLead, or the teammate's TeamMember
    timeout = idle_timeout(session.args)
    agent.use(Autonomy(member, TaskBoard(session.workdir), idle_timeout=timeout))
    if isinstance(member, TeamLead):  # its teammate processes get the same timeout (threads share args)
        member.process_args += ["--idle-timeout", f"{timeout:g}"]
    return agent


def idle_timeout(args: argparse.Namespace) -> float:
    value = getattr(args, "idle_timeout", None)
    return IDLE_TIMEOUT if value is None else value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--idle-timeout", type=seconds, metavar="SECONDS",
                        help=f"a teammate with no mail and no ready task stops after this long (default "
                             f"{IDLE_TIMEOUT:g}, {DEMO_IDLE_TIMEOUT:g} with --demo; 0: never)")


def seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:  # subtle: also refuses nan
        raise argparse.ArgumentTypeError("must be 0 (never) or a positive number of seconds")
    return value


CHAPTER = PREVIOUS.extend(name="s17_autonomous_agents", title="autonomous agents", build=build, here=__file__,
                          overlays=(Path(__file__).with_name("demo_overlay"),),  # the project's two hooks
                          add_arguments=add_arguments, demo_args={"idle_timeout": DEMO_IDLE_TIMEOUT})
