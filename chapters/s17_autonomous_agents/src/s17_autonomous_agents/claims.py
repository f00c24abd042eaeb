"""Claiming a task: the one step that two idle teammates must never both win.

An idle teammate looks at s12's board without a lock, picks the first ready task (pending, no
owner, nothing it waits for unfinished), and claims it:

    alice: looks, #3 is ready          bob: looks, #3 is ready
    alice: TaskBoard.change(#3, take)  bob: TaskBoard.change(#3, take)   <- one at a time (file lock)
           #3 still ready? yes              #3 still ready? no: alice owns it
           owner alice, in_progress         refused: bob tries #4
           written before the lock goes

The look is only a hint; the check that counts is made again under the board's lock, on a fresh
read, and the owner is written before the lock is let go. The lock is a file (filelock), so this
holds for threads of one process and for teammates in processes of their own alike.
"""

from __future__ import annotations

from s02_tool_use.tools import ToolError
from s12_task_system.board import TaskBoard, blockers, is_ready
from s12_task_system.tasks import Task


def claim(board: TaskBoard, task_id: str, name: str) -> Task:
    """Make `name` the owner of task `task_id`, in progress, if it is still ready; otherwise a
    `ToolError` that says why not (another's, started, done, waiting for others, gone)."""

    def take(task: Task, tasks: dict[str, Task]) -> None:
        # 1. under the lock, on a fresh read of the board: is it still free?
        if not is_ready(task, tasks):
            raise ToolError(f"Task #{task.id} cannot be claimed: {why_not(task, tasks)}.")
        # 2. it is: ours, written before the lock is let go (TaskBoard.change writes it)
        task.owner, task.status = name, "in_progress"

    task, _ = board.change(task_id, take)
    return task


def claim_next(board: TaskBoard, name: str) -> Task | None:
    """Claim the first ready task for `name`, lowest id first; None when none is left to claim.
    A claim lost to another teammate is no error: the next ready task is tried."""
    tasks = board.tasks()  # a look without the lock: which tasks seem ready
    for task in sorted((t for t in tasks.values() if is_ready(t, tasks)), key=lambda t: t.number):
        try:
            return claim(board, task.id, name)
        except ToolError:
            continue  # someone was faster (or it was deleted): the next one
    return None


def why_not(task: Task, tasks: dict[str, Task]) -> str:
    if task.owner:
        return f"{task.owner} owns it"
    if task.status != "pending":
        return f"it is {task.status.replace('_', ' ')}"
    return "it waits for " + ", ".join(f"#{t.id}" for t in blockers(task, tasks))


def release(board: TaskBoard, name: str) -> list[Task]:
    """Give back the tasks `name` holds unfinished (owner `name`, in_progress): pending and
    unowned again, ready for the next idle teammate. For a teammate that can no longer finish
    them (its process was killed); each is changed under the board's lock, as a claim is."""

    def free(task: Task, tasks: dict[str, Task]) -> None:
        if task.owner != name or task.status != "in_progress":
            raise ToolError(f"Task #{task.id} is not {name}'s unfinished task any more.")
        task.owner, task.status = None, "pending"

    freed = []
    for task in board.tasks().values():
        if task.owner == name and task.status == "in_progress":
            try:
                freed.append(board.change(task.id, free)[0])
            except ToolError:
                continue  # changed meanwhile (completed, or taken over): leave it
    return freed
