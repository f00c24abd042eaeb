"""TaskSystem: s12's capability, a task graph on disk that the model builds and works through.

s03's TodoWrite plan lives in the conversation: compaction summarises it, a restart loses it, and
another agent cannot see it. The board (board.py) lives in files, so none of that touches it:
    tools           TaskCreate, TaskUpdate (status, owner, edges), TaskGet, TaskList
    system_prompt   how to use the board (the section "tasks")
    on_event        SessionStart (a start, a restart, `/clear`): the open tasks join the first prompt;
                    PreCompact: the open tasks are repeated after the summary
    before_request  that repetition, once, after a compaction
    session_state   a repetition still owed (a `/compact`, then the exit), for a resumed session
    commands        `/tasks` draws the board as a tree
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Outcome, Section
from s02_tool_use.tools import Tool, ToolContext, ToolError

from .board import TaskBoard, blockers, is_ready, reaches
from .listing import board_text, render_board, task_detail
from .tasks import Task, TaskCreateInput, TaskGetInput, TaskListInput, TaskUpdateInput

GUIDANCE = """# The task board
For work of several steps, or work that may outlast this conversation, keep a task board with
TaskCreate, TaskUpdate, TaskGet and TaskList. Create one task per step; when a step must wait for
others, say so with TaskUpdate addBlockedBy (task ids such as "3", never subjects). Set a task
in_progress when you start it and completed as soon as it is done: the tasks it blocked become
ready. TaskList shows what is ready, blocked (by which tasks) and in progress. The board is kept on
disk: it survives compaction and restarts, so check it when you resume work."""

REMINDER = """<system-reminder>
The conversation was compacted. The task board (kept on disk) still holds these open tasks:
{board}
Go on from there; TaskGet gives a task's description.
</system-reminder>"""

ON_START = """<system-reminder>
The task board of this folder (.harness/tasks) holds open tasks from earlier work:
{board}
If the user's request is about them, continue from there; TaskList shows the board.
</system-reminder>"""


class TaskSystem(Extension):
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.board = TaskBoard(workdir)
        self.compacted = False  # a compaction happened since the last request

    def tools(self) -> list[Tool]:
        return [
            Tool("TaskCreate", "Add a task to the board (status pending). Returns its id; use the id, not the "
                 "subject, in every other task tool.", TaskCreateInput, self.create, kind="internal",
                 tip="For work of several steps, keep a task board: TaskCreate, TaskUpdate, TaskList."),
            Tool("TaskUpdate", "Change a task: its status (pending, in_progress, completed, deleted), subject, "
                 "description, activeForm, owner, or add dependency edges by id (addBlockedBy: tasks that must be "
                 "completed first; addBlocks: tasks that wait for this one).", TaskUpdateInput, self.update,
                 kind="internal"),
            Tool("TaskGet", "One task in full: status, owner, description, what it waits for and what waits "
                 "for it.", TaskGetInput, self.get, kind="internal", read_only=True),
            Tool("TaskList", "The whole board: every task with its state (ready, blocked by which tasks, in "
                 "progress and by whom, completed).", TaskListInput, self.list_tasks, kind="internal", read_only=True),
        ]

    def commands(self) -> dict[str, SlashCommand]:
        return {"tasks": SlashCommand("the task board as a tree: ready, blocked, in progress, done",
                                      partial(show_tasks, self))}

    def for_subagent(self) -> Extension:
        """A subagent works on the same board (it is on disk), with its own compaction flag."""
        return TaskSystem(self.workdir)

    def system_prompt(self, agent) -> Section:
        return Section("tasks", GUIDANCE)

    # the board outlives the context -----------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        if event == "PreCompact":
            self.compacted = True
        if event == "SessionStart" and (board := self.open_board()):
            return Outcome(context=[ON_START.format(board=board)])
        return None

    def session_state(self, agent) -> dict | None:
        """A repetition still owed (s02's `Extension.session_state`); the board itself is on disk."""
        return {"compacted": True} if self.compacted else None

    def restore_session(self, agent, state: dict) -> None:
        self.compacted = bool(state.get("compacted"))

    def before_request(self, agent) -> None:
        """After a compaction, once: the open tasks, after whatever the last user message holds."""
        if self.compacted:
            self.compacted = False
            if board := self.open_board():
                agent.add_user([{"type": "text", "text": REMINDER.format(board=board)}])

    def open_board(self) -> str | None:
        tasks = self.board.tasks()
        if all(t.status == "completed" for t in tasks.values()):
            return None
        return board_text(tasks, only_open=True)

    # the tools -------------------------------------------------------------------------------

    def create(self, args: TaskCreateInput, ctx: ToolContext) -> str:
        task = self.board.create(args.subject, args.description, args.activeForm)
        return f"Task #{task.id} created: {task.subject}"

    def update(self, args: TaskUpdateInput, ctx: ToolContext) -> str:
        if args.status == "deleted":
            task = self.board.delete(args.taskId)
            return f"Task #{task.id} deleted, with every dependency edge to it."
        changes: list[str] = []
        task, tasks = self.board.change(args.taskId, partial(apply_update, args, changes))
        said = f"Updated task #{task.id}: {'; '.join(changes)}." if changes else f"Task #{task.id} is unchanged."
        ready = [tasks[i] for i in task.blocks if is_ready(tasks[i], tasks)] if args.status == "completed" else []
        return said + (" Now ready: " + "; ".join(f"#{t.id} {t.subject}" for t in ready) + "." if ready else "")

    def get(self, args: TaskGetInput, ctx: ToolContext) -> str:
        tasks = self.board.tasks()
        return task_detail(self.board.find(tasks, args.taskId), tasks)

    def list_tasks(self, args: TaskListInput, ctx: ToolContext) -> str:
        return board_text(self.board.tasks())


# ---------------------------------------------------------------------------------------------


def apply_update(args: TaskUpdateInput, changes: list[str], task: Task, tasks: dict[str, Task]) -> None:
    """TaskUpdate's changes on the board's copies (under its lock): check everything, then change;
    `changes` gets what changed, in words."""
    # 1. every id named must exist; an edge must not close a cycle (A waits for B waits for A)
    for other_id in args.addBlockedBy:  # other -> task: other must be completed first
        other = TaskBoard.find(tasks, other_id)
        if other.id == task.id or reaches(tasks, task.id, other.id):
            raise ToolError(f"Task #{task.id} cannot wait for #{other.id}: #{other.id} already waits for "
                            f"#{task.id}, directly or through other tasks (a cycle). Nothing was changed.")
    for other_id in args.addBlocks:  # task -> other
        other = TaskBoard.find(tasks, other_id)
        if other.id == task.id or reaches(tasks, other.id, task.id):
            raise ToolError(f"Task #{other.id} cannot wait for #{task.id}: #{task.id} already waits for "
                            f"#{other.id}, directly or through other tasks (a cycle). Nothing was changed.")
    # 2. the edges, written on both ends
    for first, then in [(tasks[TaskBoard.find(tasks, i).id], task) for i in args.addBlockedBy] + \
                       [(task, tasks[TaskBoard.find(tasks, i).id]) for i in args.addBlocks]:
        if then.id not in first.blocks:
            first.blocks.append(then.id)
            then.blockedBy.append(first.id)
            changes.append(f"#{then.id} now waits for #{first.id}")
    # 3. the fields
    for name in ("subject", "description", "activeForm"):
        if getattr(args, name) is not None and getattr(args, name) != getattr(task, name):
            setattr(task, name, getattr(args, name))
            changes.append(f"{name} changed")
    if args.owner is not None and (args.owner or None) != task.owner:
        task.owner = args.owner or None
        changes.append(f"owner {task.owner}" if task.owner else "no owner")
    if args.status is not None and args.status != task.status:
        task.status = args.status
        changes.append(f"status {task.status}")
        if task.status == "in_progress" and (waiting := blockers(task, tasks)):
            changes.append("note: it still waits for " + ", ".join(f"#{t.id} ({t.status})" for t in waiting))


def show_tasks(system: TaskSystem, agent, argument: str, console) -> None:
    """The `/tasks` slash command."""
    console.print(render_board(system.board.tasks()))
