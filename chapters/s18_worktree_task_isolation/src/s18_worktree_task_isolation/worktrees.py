"""Worktrees: s18's capability, a lane (a git worktree on its own branch) per task, as tools.

    tools      WorktreeCreate{name, task_id, base?}     a lane for a task on the s12 board
               WorktreeList{}                           every lane, its state and its work
               WorktreeRun{name, command, timeout?}     a shell command in a lane, judged as bash
               WorktreeCloseout{name, action, force?}   keep, remove, or merge back
    on_event   SessionStart (once): stale worktrees pruned, their records closed
    commands   /worktrees lists the lanes
Creating and removing a lane run the user's WorktreeCreate and WorktreeRemove hooks first (s08);
a hook that exits 2 refuses it. Subagents get none of these tools: a lane is the main agent's to
make and close; a subagent is given one to work in (isolation.py).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s01_agent_loop.shell import MAX_TIMEOUT
from s02_tool_use.extension import Extension
from s02_tool_use.paths import display_path
from s02_tool_use.tools import Tool, ToolContext, ToolError, ToolResult
from s12_task_system.board import TaskBoard
from s12_task_system.tasks import TaskId

from .isolation import hooks_may, run_in_lane
from .lanes import Lane, Lanes
from .merge import merge_lane
from .repository import changes

LANE_NAME = "The lane's name: lowercase letters, digits and hyphens, e.g. `fix-median`."


class WorktreeCreateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description=LANE_NAME + " Its branch is `lane/<name>`.")
    task_id: TaskId = Field(description="The id of the task on the board (TaskCreate) that this lane is for.")
    base: str | None = Field(None, description="The commit to start from: a branch, a tag or a commit id "
                             "(default: the main checkout's HEAD).")


class WorktreeListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorktreeRunInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description=LANE_NAME)
    command: str = Field(min_length=1, description="The shell command to run in the lane's folder.")
    timeout: float | None = Field(None, gt=0, le=MAX_TIMEOUT, description="Seconds before it is killed.")


class WorktreeCloseoutInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description=LANE_NAME)
    action: Literal["keep", "remove", "merge"] = Field(
        description="keep: leave it on disk, to merge or remove later; remove: delete its folder and branch; "
                    "merge: merge its branch into the main checkout's branch, then remove it.")
    force: bool = Field(False, description="With remove: throw away uncommitted changes and unmerged commits.")


# ---------------------------------------------------------------------------------------------


class Worktrees(Extension):
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pruned = False  # stale worktrees are pruned once, at the first start

    def tools(self) -> list[Tool]:
        return [
            Tool("WorktreeCreate", "Make a lane for a task on the board: a git worktree of this repository in "
                 ".harness/worktrees/<name>, on a new branch lane/<name>. Work in it (WorktreeRun) changes nothing "
                 "in the main checkout until you merge it with WorktreeCloseout.", WorktreeCreateInput, self.create,
                 kind="internal", tip="To keep a task's work apart until it is done, WorktreeCreate a lane for it "
                 "(a git worktree on its own branch); WorktreeCloseout merges it back."),
            Tool("WorktreeList", "Every lane: its status (active, kept, merged, removed), branch, task, and the "
                 "work it holds (commits to merge, uncommitted changes).", WorktreeListInput, self.list_lanes,
                 kind="internal", read_only=True),
            Tool("WorktreeRun", "Run a shell command in a lane's folder, as bash would there, under the same "
                 "permission rules and hooks: tests, git add and git commit. Each call starts a fresh shell.",
                 WorktreeRunInput, self.run, kind="internal"),
            Tool("WorktreeCloseout", "Close out a lane: keep it (on disk, to merge or remove later), remove it "
                 "(its folder and branch; refused while it holds uncommitted changes or unmerged commits, unless "
                 "force), or merge it (its committed work into the main checkout's branch with --no-ff, then "
                 "remove it; on a conflict the merge is aborted and the files are listed).",
                 WorktreeCloseoutInput, self.closeout, kind="edit"),
        ]

    def commands(self) -> dict[str, SlashCommand]:
        return {"worktrees": SlashCommand("the lanes (git worktrees): their tasks, branches and state",
                                          partial(show_lanes, self))}

    def on_event(self, agent, event: str, data: dict) -> None:
        # subtle: only where lanes were made; a repository that never had one is left alone
        if event == "SessionStart" and not self.pruned and Lanes.made_in(self.workdir):
            self.pruned = True
            try:
                gone = Lanes(self.workdir).prune()
            except ToolError as error:  # the folder is no longer a repository: say so, go on
                agent.view.notice(Text(f"worktrees: not pruned: {error}", style="yellow"))
                return
            if gone:
                agent.view.notice(Text("⎇ pruned at start: " + "; ".join(f"{lane.name} ({lane.note})" for lane in gone),
                                       style="yellow"))

    # the tools -------------------------------------------------------------------------------

    def create(self, args: WorktreeCreateInput, ctx: ToolContext) -> str:
        task = TaskBoard(ctx.workdir).get(args.task_id)  # an unknown id: s12's error, listing the tasks
        lanes = Lanes(ctx.workdir)
        lane = lanes.create(args.name, args.base, task.id, before=hooks_may(ctx.agent, "WorktreeCreate", lanes))
        return (f"Lane {lane.name} is ready for task #{task.id} ({task.subject}): "
                f"{display_path(ctx.workdir, lanes.path(lane))}, on the branch {lane.branch}, from "
                f"{lanes.repo.short(lane.base)}. Run commands there with WorktreeRun, commit your work there, "
                "then WorktreeCloseout merges it back.")

    def list_lanes(self, args: WorktreeListInput, ctx: ToolContext) -> str:
        return listing(Lanes(ctx.workdir), TaskBoard(ctx.workdir))

    def run(self, args: WorktreeRunInput, ctx: ToolContext) -> ToolResult:
        lanes = Lanes(ctx.workdir)
        lane = lanes.get(args.name)
        if not lanes.path(lane).is_dir():
            raise ToolError(f"The lane {lane.name!r} has no folder any more; close it out with action remove.")
        output, is_error = run_in_lane(ctx.agent, lanes.workdir(lane), args.command, args.timeout)
        return ToolResult(output, is_error)

    def closeout(self, args: WorktreeCloseoutInput, ctx: ToolContext) -> str:
        lanes = Lanes(ctx.workdir)
        lane = lanes.get(args.name)
        if args.action == "keep":
            lanes.keep(lane)
            return f"Lane {lane.name} is kept on disk ({lane.branch}): merge or remove it later."
        before = hooks_may(ctx.agent, "WorktreeRemove", lanes)
        if args.action == "merge":
            return merge_lane(lanes, lane, before)
        lanes.remove(lane, args.force, before)
        return f"Lane {lane.name} is removed: its folder and its branch {lane.branch}" + (
            ", with whatever they held." if args.force else ".")


# ---------------------------------------------------------------------------------------------


def listing(lanes: Lanes, board: TaskBoard) -> str:
    """Every lane on one line: `median [active] lane/median: 1 commit to merge, clean; task #1 Fix it`."""
    found, tasks = lanes.all(), board.tasks()
    if not found:
        return "No lanes yet: WorktreeCreate makes one for a task."
    lines = [f"{len(found)} lane{'s' * (len(found) > 1)}; the main checkout is on {lanes.repo.branch() or 'a detached HEAD'}:"]
    for lane in found.values():
        task = tasks.get(lane.task_id or "")
        what = f"task #{lane.task_id} {task.subject if task else '(no longer on the board)'}" if lane.task_id \
            else lane.owner or ""
        lines.append(f"- {lane.name} [{lane.status}] {lane.branch}: {work_in(lanes, lane)}; {what}")
    return "\n".join(lines)


def work_in(lanes: Lanes, lane: Lane) -> str:
    """What an open lane holds; how a closed one ended."""
    if not lane.open:
        return lane.note or lane.status
    if not lanes.path(lane).is_dir():
        return "its folder is missing"
    commits, dirty = lanes.repo.ahead(lane.branch), len(changes(lanes.path(lane)))
    return (f"{commits} commit{'s' * (commits != 1)} to merge, "
            + (f"{dirty} uncommitted change{'s' * (dirty != 1)}" if dirty else "clean"))


def show_lanes(worktrees: Worktrees, agent, argument: str, console) -> None:
    """The `/worktrees` slash command."""
    try:
        console.print(Text(listing(Lanes(agent.workdir), TaskBoard(agent.workdir))))
    except ToolError as error:
        console.print(Text(str(error), style="yellow"))
