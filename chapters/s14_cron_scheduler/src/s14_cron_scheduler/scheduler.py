"""`Scheduler`: s14's capability, prompts that fire later, as one `Extension`.

    tools       CronCreate, CronList, CronDelete (Claude Code's names and inputs)
    commands    /loop 5m <prompt> (now, then every 5 minutes), /cron (list; /cron delete ID)
    on_event    SessionStart (a start, a resumed session): a note for the model about fires missed while no agent ran;
                SessionEnd: the ticker stops
    session_state  the session-only jobs, which a resumed session gets back (unexpired ones)
    start()     the startup check, then the ticker thread (wiring starts it, unless the run is -q)

The ticker is the new idea. It sleeps until the next job is due (or a job changes), then posts the
job's prompt to the inbox, `session.inbox.post(prompt, source)`: the one place the REPL reads, so
the prompt runs as a user turn, after the running turn if there is one, or at once while the REPL
waits for a line (s01's inbox keeps the half-typed line). Time comes from an injected clock: tests
call `tick(now)` themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial

from pydantic import ValidationError
from rich.text import Text

from s01_agent_loop.cli.chapter import SlashCommand
from s01_agent_loop.cli.inbox import Inbox
from s02_tool_use.extension import Extension, Outcome
from s02_tool_use.tools import Tool, ToolContext, ToolError

from .clock import Clock
from .commands import loop, show_jobs
from .cron_tools import CREATE, DELETE, LIST, CronCreateInput, CronDeleteInput, CronListInput, created_text
from .missed import catch_up, report_missed
from .schedule import MAX_JOBS, CronJob
from .store import CronStore, StoreError

IDLE_WAIT = 3600.0
"""Clock seconds the ticker waits with no job at all (a new job wakes it)."""


class Scheduler(Extension):
    def __init__(self, workdir, inbox: Inbox | None = None, clock: Callable[[], datetime] | None = None,
                 wait: Callable[[threading.Event, float], bool] | None = None, one_task: bool = False):
        real = Clock()
        self.one_task = one_task
        """The run does one task and ends (-q): no ticker, so a session job would never fire."""
        self.inbox = inbox or Inbox()
        self.clock = clock or real.now
        """The local time, aware: `datetime.now().astimezone()` unless a test or the demo sets it."""
        self.wait = wait or real.wait
        """`wait(event, seconds)`: sleep until `event` or `seconds` pass (on the clock's time)."""
        self.store = CronStore(workdir)
        self.session_jobs: dict[str, CronJob] = {}  # id -> job, this process only
        self.mutex = threading.Lock()  # the ticker and the tools both change `session_jobs`
        self.changed = threading.Event()  # a job was added or deleted: the ticker looks again
        self.stopping = threading.Event()
        self.ticker: threading.Thread | None = None
        self.notes: list[str] = []  # for the model, at SessionStart: fires missed while no agent ran
        self.problem: str | None = None  # the last StoreError told, so the ticker tells it once

    # the jobs --------------------------------------------------------------------------------

    def jobs(self) -> list[CronJob]:
        """Every job, this session's and the folder's durable ones (read afresh: another agent may
        have added one)."""
        with self.mutex:
            jobs = list(self.session_jobs.values())
        try:
            jobs += list(self.store.read().jobs.values())
            self.problem = None
        except StoreError as error:
            self.report(str(error))
        return jobs

    def add(self, job: CronJob) -> None:
        if len(self.jobs()) >= MAX_JOBS:
            raise ToolError(f"{MAX_JOBS} jobs are scheduled already (the limit); delete one with CronDelete "
                            "first (CronList shows them)")
        if job.durable:
            self.guarded(self.store.add, job)
        else:
            with self.mutex:
                self.session_jobs[job.id] = job
        self.changed.set()

    def delete(self, job_id: str) -> CronJob | None:
        with self.mutex:
            job = self.session_jobs.pop(job_id, None)
        job = job or self.guarded(self.store.remove, job_id)
        self.changed.set()
        return job

    def guarded(self, change, *args):
        try:
            return change(*args)
        except StoreError as error:
            raise ToolError(str(error)) from None

    # the ticker ------------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[str]:
        """Post every job due by `now`; returns their ids. The ticker calls it; tests call it with
        the time they want."""
        fired = []
        for job in self.jobs():
            # 1. due? subtle: fires missed while the machine slept are not replayed: the latest runs
            due = job.due_by(now)
            if not due:
                continue
            # 2. decide to fire: for a durable job, by recording it in the file under the lock, so
            #    that of two agents in this folder only the first fires it
            fired_job = self.claim(job, due[-1], now)  # the job as the file holds it, or None
            if fired_job is None:
                continue
            # 3. post the prompt: it runs as a user turn as soon as no turn runs (s01's inbox); a
            #    fire whose last prompt still waits for its turn is not queued twice
            name = f"⏰ cron {job.id} ({job.cron})"
            if not any(posted.source.startswith(name) for posted in self.inbox.waiting()):
                self.inbox.post(fired_job.prompt, f"{name}, due {job.due(due[-1]):%H:%M:%S}")
            if job.recurring and job.expired(now):
                self.inbox.tell(Text(f"⏰ job {job.id} is 7 days old: that was its last fire, it is removed", "dim"))
            fired.append(job.id)
        return fired

    def claim(self, job: CronJob, cron_time: datetime, now: datetime) -> CronJob | None:
        if job.durable:
            try:
                return self.store.claim(job.id, cron_time, now)
            except StoreError as error:
                self.report(str(error))
                return None
        with self.mutex:
            if self.session_jobs.get(job.id) is not job:
                return None  # deleted meanwhile
            if (kept := job.after_fire(cron_time, now)) is None:
                del self.session_jobs[job.id]
            else:
                self.session_jobs[job.id] = kept
        return job

    def next_due(self) -> datetime | None:
        return min((job.next_due() for job in self.jobs()), default=None)

    def start(self) -> Scheduler:
        """Report fires missed while no agent ran, then start the ticker thread."""
        try:
            self.notes = report_missed(self.store, self.clock, self.inbox)
        except StoreError as error:
            self.report(str(error))
        self.ticker = threading.Thread(target=self.run_ticker, name="cron-ticker", daemon=True)
        self.ticker.start()
        return self

    def run_ticker(self) -> None:
        while not self.stopping.is_set():
            self.changed.clear()
            try:
                if self.jobs():  # subtle: with no job the clock is not read (see Clock.now)
                    self.tick(self.clock())
                due = self.next_due()
            except Exception as error:  # noqa: BLE001 - a broken job must not stop every other one
                self.report(f"the scheduler failed: {type(error).__name__}: {error}")
                due = None
            seconds = (due - self.clock()).total_seconds() if due else IDLE_WAIT
            self.wait(self.changed, seconds)

    def stop(self) -> None:
        self.stopping.set()
        self.changed.set()
        if self.ticker is not None and self.ticker is not threading.current_thread():
            self.ticker.join(timeout=5)

    def report(self, problem: str) -> None:
        if problem != self.problem:
            self.problem = problem
            self.inbox.tell(Text(f"⏰ {problem}", "yellow"))

    # the extension points ---------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        if event == "SessionEnd":
            self.stop()
        elif event == "SessionStart" and data.get("source") in ("startup", "resume") and self.notes:
            notes, self.notes = self.notes, []
            return Outcome(context=["Scheduled jobs, while no agent ran here:\n" + "\n".join(notes)])
        return None

    def session_state(self, agent) -> dict | None:
        """The session-only jobs (s02's `Extension.session_state`); durable ones are in their file."""
        with self.mutex:
            jobs = [job.model_dump(mode="json") for job in self.session_jobs.values()]
        return {"jobs": jobs} if jobs else None

    def restore_session(self, agent, state: dict) -> None:
        """A resumed session's jobs come back, as durable ones do at a start (missed.py): an expired
        one, or a one-shot whose fire passed while no agent ran, is gone; missed fires are not replayed."""
        now, back = self.clock(), []
        for entry in state.get("jobs", []):
            try:
                job = CronJob.model_validate(entry)
            except ValidationError:
                continue
            job, _ = catch_up(job, now)
            if job is None:
                continue
            with self.mutex:
                self.session_jobs[job.id] = job
            back.append(job.id)
        if back:
            self.inbox.tell(Text(f"⏰ this session's jobs are back: {', '.join(back)} (/cron lists them)", "dim"))
            self.changed.set()

    def tools(self) -> list[Tool]:
        return [Tool("CronCreate", CREATE, CronCreateInput, self.cron_create, kind="internal",
                     tip="To do something later or repeatedly, schedule it with CronCreate."),
                Tool("CronList", LIST, CronListInput, self.cron_list, kind="internal", read_only=True),
                Tool("CronDelete", DELETE, CronDeleteInput, self.cron_delete, kind="internal")]

    def cron_create(self, args: CronCreateInput, ctx: ToolContext) -> str:
        job = CronJob.new(args.cron, args.prompt, self.clock(), args.recurring, args.durable)
        self.add(job)
        return created_text(job, one_task=self.one_task)

    def cron_list(self, args: CronListInput, ctx: ToolContext) -> str:
        jobs = sorted(self.jobs(), key=CronJob.next_due)
        return "\n".join(job.summary() for job in jobs) if jobs else "No scheduled jobs."

    def cron_delete(self, args: CronDeleteInput, ctx: ToolContext) -> str:
        job = self.delete(args.id)
        if job is None:
            known = ", ".join(job.id for job in self.jobs()) or "none"
            raise ToolError(f"No job {args.id!r}; the jobs are: {known} (CronList shows them)")
        return f"Deleted {job.id} ({job.cron}: {job.prompt})."

    def commands(self) -> dict[str, SlashCommand]:
        # subtle: no square brackets in a help text: the REPL prints it as rich markup
        return {"loop": SlashCommand("/loop 5m <prompt>: run a prompt now and every 5 minutes (s, m, h, d; "
                                     "10m if left out), for this session", partial(loop, self)),
                "cron": SlashCommand("the scheduled jobs; /cron delete ID removes one", partial(show_jobs, self))}
