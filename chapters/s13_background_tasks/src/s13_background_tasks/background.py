"""BackgroundJobs: s13's capability, slow commands off the critical path, as one `Extension`.

It adds no new way to run a command. It replaces the registry's `bash` with a `bash` of the same
name and kind that takes one more input, `run_in_background`. Called without it, s02's `bash` runs,
unchanged. Because the tool is still `bash`, s07's permission rules and s08's hooks judge a
background command exactly as a foreground one: a denied command never starts.

    tools           bash{..., run_in_background}, TaskOutput, TaskStop, JobList (Claude Code's names,
                    JobList excepted: Claude Code has no tool that lists them)
    before_request  one note for the model: every job that ended since its last request
    on_event        /clear keeps jobs running; SessionEnd kills every job's tree, waits, cleans up
    commands        /jobs lists them, /jobs stop ID stops one
The user hears of an end at once, from the watcher thread, through the session's inbox.
"""

from __future__ import annotations

import subprocess
import threading
import time
from functools import partial

from pydantic import BaseModel, Field
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.shell import BASH_TOOL, DEFAULT_TIMEOUT, MAX_SAVED_BYTES, MAX_TIMEOUT
from s02_tool_use.bash import BASH, BashInput, bash
from s02_tool_use.extension import Extension
from s02_tool_use.tools import Tool, ToolContext, ToolError, ToolResult

from .display import ended_line, ended_note, job_lines, jobs_table, one_line
from .jobs import Job, duration, remove, start_job

MAX_RUNNING = 32
"""The most jobs running at once; one more is refused with a clear message (a loop gone wrong)."""
JOB_TOOLS = ("TaskOutput", "TaskStop", "JobList")
STOP_WAIT = 10.0
"""Seconds TaskStop and the session's end wait for a killed job's watcher to record the end."""


class BackgroundBashInput(BashInput):
    timeout: float | None = Field(
        None, gt=0, le=MAX_TIMEOUT,
        description=f"Seconds before it is killed (default {DEFAULT_TIMEOUT:g}; in the background: no limit).")
    run_in_background: bool = Field(
        False, description="Run it in the background: returns at once with a task id and its output file, "
        "and you are told when it ends. For slow commands (a test suite, a build, a server) while you go on working.")


class TaskOutputInput(BaseModel):
    task_id: str = Field(min_length=1, description="The id bash returned, e.g. `bg-3f2a1b`.")
    block: bool = Field(False, description="Wait until the command ends (or `timeout` passes) before answering.")
    timeout: float = Field(30, gt=0, le=MAX_TIMEOUT, description="With block: the most seconds to wait.")


class TaskStopInput(BaseModel):
    task_id: str = Field(min_length=1, description="The id of the background command to stop.")


class JobListInput(BaseModel):
    pass


DESCRIPTION = (f"{BASH_TOOL['description']} With run_in_background: true it returns at once with a task id and "
               f"the file its output goes to (at most {MAX_SAVED_BYTES >> 20} MB kept); you are told when it ends, "
               "with the end of its output. TaskOutput reads its output, TaskStop stops it, JobList lists them.")


class BackgroundJobs(Extension):
    def __init__(self, inbox: Inbox | None = None, max_running: int = MAX_RUNNING, clock=time.monotonic):
        self.inbox = inbox or Inbox()  # where the user is told, from the watcher threads
        self.max_running = max_running
        self.clock = clock
        self.jobs: dict[str, Job] = {}  # id -> job, in the order they started
        self.ended: list[Job] = []  # ended since the last request; the model is not yet told
        self.lock = threading.Lock()  # guards `ended`, which the watcher threads append to
        self.conversation = 0  # bumped by /clear: a new conversation hears only of its own jobs
        self.closed = False

    def tools(self) -> list[Tool]:
        return [
            Tool("bash", DESCRIPTION, BackgroundBashInput, self.bash, kind="shell",
                 tip="Use bash to run commands, tests and git; a slow one (a test suite, a build) with "
                     "run_in_background: true, and go on working."),
            Tool("TaskOutput", "Read the new output of a background command (started by bash with "
                 "run_in_background) since you last read it, and whether it still runs. block: true waits for "
                 "its end, up to timeout seconds.", TaskOutputInput, self.task_output, kind="internal", read_only=True),
            Tool("TaskStop", "Stop a background command and everything it started.", TaskStopInput,
                 self.task_stop, kind="internal"),
            Tool("JobList", "List this session's background commands: id, status, exit code, runtime, "
                 "output size and command.", JobListInput, self.job_list, kind="internal", read_only=True),
        ]

    def commands(self) -> dict[str, SlashCommand]:
        return {"jobs": SlashCommand("background commands: id, command, status, exit code, runtime, output; "
                                     "/jobs stop ID stops one", partial(jobs_command, self))}

    def for_subagent(self) -> Extension:
        return ForegroundShell()

    # the tools ----------------------------------------------------------------------------

    def bash(self, args: BackgroundBashInput, ctx: ToolContext) -> ToolResult:
        if not args.run_in_background:
            return bash(args, ctx)  # s02's, unchanged
        if self.closed:
            raise ToolError("The session is ending: no new background commands.")
        if len(running := self.running()) >= self.max_running:
            raise ToolError(f"{len(running)} background commands are running already (at most {self.max_running}): "
                            "wait for one with TaskOutput(block: true) or stop one with TaskStop.")
        try:
            job = start_job(args.command, ctx.workdir, args.timeout, self.job_ended, self.clock)
        except OSError as error:
            raise ToolError(f"could not start it in the background: {error}") from None
        job.conversation = self.conversation
        self.jobs[job.id] = job
        limit = f"; killed after {duration(args.timeout)}" if args.timeout else ""
        return ToolResult(f"Started in the background as {job.id}{limit}; output: {job.shown}. You will be told "
                          "when it ends (TaskOutput reads its output, TaskStop stops it).")

    def task_output(self, args: TaskOutputInput, ctx: ToolContext) -> str:
        job = self.find(args.task_id)
        if args.block:
            job.done.wait(args.timeout)
        ended = not job.running  # subtle: read before the output, so an end is never claimed too early
        new = job.read_new()
        if ended:
            job.reported = True  # the model sees the end here: no note about it later
            state = f"{job.id} ended: {job.ending()}."
        else:
            waited = f" (waited {duration(args.timeout)})" if args.block else ""
            state = f"{job.id} is still running{waited}, for {duration(job.runtime)} so far."
        return f"{state}\nNew output since the last read:\n{new.rstrip() or '(none)'}"

    def task_stop(self, args: TaskStopInput, ctx: ToolContext) -> str:
        job = self.find(args.task_id)
        if not job.stop("stopped"):
            job.reported = True
            return f"{job.id} had ended already: {job.ending()}."
        job.done.wait(STOP_WAIT)
        job.reported = True
        return f"Stopped {job.id} and everything it started: {job.ending()}. Last lines of its output:\n{job.tail()}"

    def job_list(self, args: JobListInput, ctx: ToolContext) -> str:
        return job_lines(list(self.jobs.values()))

    def running(self) -> list[Job]:
        """The jobs running now, in the order they started (a status line counts them)."""
        return [job for job in self.jobs.values() if job.running]

    def find(self, task_id: str) -> Job:
        job = self.jobs.get(task_id.strip())
        if job is None:
            known = ", ".join(self.jobs) or "none in this session"
            raise ToolError(f"No background command {task_id!r} (known: {known}).")
        return job

    # the announcement, both ways ----------------------------------------------------------

    def job_ended(self, job: Job) -> None:
        """From the job's watcher thread, the moment it ends: the user now, the model later."""
        with self.lock:
            self.ended.append(job)
        if not self.closed:
            self.inbox.tell(ended_line(job))  # above the prompt line, which stays intact

    def before_request(self, agent) -> None:
        """One text block after this request's tool_results (or prompt): every job that ended since
        the last request, of this conversation, whose end the model has not read already."""
        # 1. take what ended, under the lock: a watcher may append while we read
        with self.lock:
            due, self.ended = self.ended, []
        due = [job for job in due if not job.reported and job.conversation == self.conversation]
        # 2. one block for all of them, after the tool_results (they must come first in their message)
        if due:
            for job in due:
                job.reported = True
            agent.add_user([{"type": "text", "text": ended_note(due)}])
            agent.view.notice(Text(f"↳ the model is told: {', '.join(job.id for job in due)} ended", style="dim"))

    # the session ---------------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and data.get("source") in ("clear", "resume"):
            # a new conversation (or an earlier one brought back, full's /resume): old jobs keep running (they are the user's work too), listed by /jobs,
            # and the user still hears when they end; the new conversation is not told about them
            self.conversation += 1
            if running := [job.id for job in self.running()]:
                many = len(running) != 1
                self.inbox.tell(Text(f"{len(running)} background command{'s' * many} keep{'s' * (not many)} running "
                                     f"({', '.join(running)}); /jobs lists them", style="dim"))
        elif event == "SessionEnd":
            self.close()

    def close(self) -> None:
        """The session is over: kill every running job's tree, wait for each (no zombie is left), and
        delete the output files. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        killed = [job for job in self.jobs.values() if job.stop("killed at exit")]
        for job in self.jobs.values():
            job.done.wait(STOP_WAIT)
            try:
                job.process.wait(STOP_WAIT)  # subtle: the watcher waits too; a second wait is harmless
            except subprocess.TimeoutExpired:  # a process SIGKILL cannot end (stuck in the kernel)
                pass
            remove(job)
        if killed:
            names = ", ".join(f"{job.id} ({one_line(job.command, 30)})" for job in killed)
            self.inbox.tell(Text(f"stopped {len(killed)} background command{'s' * (len(killed) != 1)} at exit: "
                                 f"{names}", style="dim"))


class ForegroundShell(Extension):
    """What a subagent gets instead: s02's `bash`, foreground only. Its run ends with its answer, and
    a command it left in the background would have nobody to tell when it ends."""

    def tools(self) -> list[Tool]:
        return [BASH]

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart":
            # subtle: s04 hands a child every tool of an extension that comes along (as s09's Memory
            # notes); the parent's jobs are not the child's, so their tools are dropped here
            agent.tools.remove(*JOB_TOOLS)


# ---------------------------------------------------------------------------------------------


def jobs_command(extension: BackgroundJobs, agent, argument: str, console) -> None:
    """`/jobs`: the table; `/jobs stop ID`: stop one (the model is told before its next request)."""
    verb, _, task_id = argument.partition(" ")
    if verb == "stop":
        job = extension.jobs.get(task_id.strip())
        if job is None:
            console.print(f"[red]no background command {task_id.strip()!r}[/]; /jobs lists them")
        elif job.stop("stopped"):
            job.done.wait(STOP_WAIT)  # the watcher tells the user (and, later, the model)
        else:
            console.print(f"[dim]{job.id} had ended already: {job.ending()}[/]")
        return
    if argument:
        console.print(f"[red]unknown argument {argument!r}[/]: /jobs, or /jobs stop ID")
    elif not extension.jobs:
        console.print("[dim]no background commands yet: bash with run_in_background starts one[/]")
    else:
        console.print(jobs_table(list(extension.jobs.values())))
