"""The scheduler's slash commands: `/loop` and `/cron`.

`/loop 5m check the build` is Claude Code's sugar for "this prompt, now and every 5 minutes": a
session job, and the prompt posted at once (the first run is now, not in 5 minutes). The interval becomes a cron expression; cron cannot say "every 7 minutes" evenly (`*/7` fires at
:56 and again at :00), so an interval that does not divide its unit is moved to the nearest one
that does, and the user is told. Seconds round up to a minute, cron's finest step.

    parse_loop("5m check the build")   ->  Loop(cron="*/5 * * * *", prompt="check the build", every="5m")
    parse_loop("check the build")      ->  every 10 minutes (the default, as in Claude Code)
    parse_loop("90m deploy status")    ->  */2 hours at minute 0, with a note that 90m became 2h
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rich.text import Text

from s02_tool_use.tools import ToolError

from .schedule import CronJob, when

DEFAULT = "10m"
INTERVAL = re.compile(r"(\d+)\s*(s|m|h|d)", re.IGNORECASE)
STEPS = {"m": (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60), "h": (1, 2, 3, 4, 6, 8, 12, 24)}
"""The steps that divide an hour (minutes) and a day (hours) evenly; 60m is 1h and 24h is 1d."""
USAGE = "usage: /loop [interval] <prompt>, e.g. /loop 5m check the build (s, m, h or d; default 10m)"


@dataclass(frozen=True)
class Loop:
    cron: str
    prompt: str
    every: str
    """The interval as it runs, e.g. "5m"."""
    note: str = ""
    """Why the interval differs from the one asked for, if it does."""


def parse_loop(argument: str) -> Loop:
    """The `/loop` argument as a cron job; ValueError (with the usage) when there is no prompt."""
    first, _, rest = argument.strip().partition(" ")
    match = INTERVAL.fullmatch(first)
    asked, prompt = (first, rest.strip()) if match else (DEFAULT, argument.strip())
    if not prompt:
        raise ValueError(USAGE)
    count, unit = (int(match[1]), match[2].lower()) if match else (10, "m")
    if count == 0:
        raise ValueError(f"{asked} is no interval; {USAGE}")
    # 1. everything in the coarsest unit that holds it: seconds up to minutes, 60m to 1h, 24h to 1d
    if unit == "s":
        count, unit = math.ceil(count / 60), "m"
    if unit == "m" and count >= 60:
        count, unit = max(1, round(count / 60)), "h"
    if unit == "h" and count >= 24:
        count, unit = max(1, round(count / 24)), "d"
    # 2. a step that divides its unit, so the fires are evenly spaced
    if unit in STEPS:
        count = min(STEPS[unit], key=lambda step: (abs(step - count), -step))  # a tie goes to the longer step
        count, unit = (1, "h") if (count, unit) == (60, "m") else (1, "d") if (count, unit) == (24, "h") else (count, unit)
    every = f"{count}{unit}"
    cron = {"m": f"*/{count} * * * *", "h": f"0 */{count} * * *", "d": f"0 0 */{count} * *"}[unit]
    changed = every != asked.lower().replace(" ", "")
    note = f"{asked} became {every}: cron counts whole minutes, in steps that divide an hour or a day" if changed else ""
    return Loop(cron.replace("*/1 ", "* ", 1), prompt, every, note)


# ---------------------------------------------------------------------------------------------


def loop(scheduler, agent, argument: str, console) -> None:
    """`/loop 5m check the build`: a session job every 5 minutes, and the prompt once now."""
    try:
        asked = parse_loop(argument)
        job = CronJob.new(asked.cron, asked.prompt, scheduler.clock())
        scheduler.add(job)
    except (ValueError, ToolError) as error:
        console.print(Text(str(error), "red"))
        return
    if asked.note:
        console.print(Text(asked.note, "yellow"))
    console.print(Text(f"⏰ every {asked.every} ({job.cron}), job {job.id}, for this session, until "
                       f"{when(job.expires_at)}; next after this run: {when(job.next_due())}"))
    scheduler.inbox.post(job.prompt, f"⏰ loop {job.id}: the first run, now")


def show_jobs(scheduler, agent, argument: str, console) -> None:
    """`/cron`: the jobs, soonest first, two lines each; `/cron delete ID` removes one."""
    command, _, job_id = argument.partition(" ")
    if command == "delete":
        try:
            job = scheduler.delete(job_id.strip())
        except ToolError as error:
            console.print(Text(str(error), "red"))
            return
        console.print(Text(f"deleted {job.id}: {job.prompt}") if job else Text(f"no job {job_id.strip()!r}", "red"))
        return
    jobs = sorted(scheduler.jobs(), key=CronJob.next_due)
    if not jobs:
        console.print("[dim]no scheduled jobs: ask for something later, or /loop 5m <prompt>[/]")
    for job in jobs:
        console.print(Text.assemble((f"{job.id}  ", "bold"), f"{job.cron}  ", (job.kind(), "dim")))
        console.print(Text(f"  next {when(job.next_due())}: {job.prompt}"), no_wrap=True, overflow="ellipsis")
