"""Chapter 14's agent in one screen: chapter 13's agent plus a `Scheduler` (CronCreate, CronList,
CronDelete, /loop, /cron) whose ticker posts due prompts to the REPL's inbox."""

from __future__ import annotations

import argparse

from rich.text import Text

from s01_agent_loop.cli import Session
from s13_background_tasks.wiring import CHAPTER as PREVIOUS
from s13_background_tasks.wiring import build as build_previous

from .clock import Clock, positive, today_at
from .scheduler import Scheduler


def build(session: Session):
    agent = build_previous(session)
    clock = Clock(getattr(session.args, "clock_start", None), getattr(session.args, "clock_speed", None) or 1.0)
    one_task = bool(getattr(session.args, "query", None))  # -q: no ticker (a fire would have no turn to run in)
    scheduler = Scheduler(session.workdir, session.inbox, clock=clock.now, wait=clock.wait, one_task=one_task)
    agent.use(scheduler)
    if one_task:
        return agent
    if (line := clock.describe()) is not None:
        session.inbox.tell(Text(f"⏰ {line}", "yellow"))
    scheduler.start()  # the process is the session: a job may fall due before the first prompt
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # hidden: for the demo and the terminal test, not for daily use
    parser.add_argument("--clock-start", type=today_at, metavar="HH:MM[:SS]", help=argparse.SUPPRESS)
    parser.add_argument("--clock-speed", type=positive, metavar="N", help=argparse.SUPPRESS)


CHAPTER = PREVIOUS.extend(
    name="s14_cron_scheduler", title="prompts that fire later", build=build, here=__file__,
    add_arguments=add_arguments,
    # the demo's clock shows 09:40 when the job is made and runs 600 times fast: 10:00 comes 2 s later
    demo_args={"clock_start": today_at("09:40"), "clock_speed": 600.0},
)
