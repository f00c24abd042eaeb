"""`TaskBoard`: the task graph on disk, shared by every agent working in the folder.

    .harness/tasks/
        .lock           one writer at a time, across threads and processes (filelock)
        .highwatermark  the last id given out; ids are never reused, even after a delete
        1.json 2.json   one file per task, each written atomically

Every change happens under the lock: read what it touches, check it, write. Reads take no lock:
each file is whole (atomic writes), and `tasks()` mends what a writer killed between two files
may have left: an edge stored on one side only is restored on the other, and an edge to a task
that is gone is dropped. So both sides always agree, for every reader.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from filelock import FileLock

from s02_tool_use.files import write_atomic
from s02_tool_use.state import state_dir
from s02_tool_use.tools import ToolError

from .tasks import Task, parse_task

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another writer before giving up with a clear error."""


class TaskBoard:
    def __init__(self, workdir: Path):
        self.folder = state_dir(workdir) / "tasks"
        self.folder.mkdir(parents=True, exist_ok=True)
        # subtle: thread_local (filelock's default) gives each thread its own lock file handle, so
        # threads of one process exclude each other too, not only processes
        self.lock = FileLock(self.folder / ".lock", timeout=LOCK_TIMEOUT)
        self.cache: dict[str, tuple[tuple, Task]] = {}  # file name -> ((inode, mtime_ns, size), task)

    # reading ---------------------------------------------------------------------------------

    def tasks(self, fresh: bool = False) -> dict[str, Task]:
        """Every task by id, both sides of every edge in agreement (see the module docstring): new
        objects each time, the caller's to change. `fresh`: read every file, whatever the cache
        holds (a writer does, under the lock)."""
        found: dict[str, Task] = {}
        for entry in os.scandir(self.folder):
            if entry.name.endswith(".json") and not entry.name.startswith("."):
                task = self.read(entry, fresh)
                if task is not None:
                    found[task.id] = task.copy()
        return mend(found)

    def read(self, entry: os.DirEntry, fresh: bool = False) -> Task | None:
        """One task file; from the cache when it is the same file as last time (an atomic write
        makes a new inode) with the same time and size: 1,000 tasks in a few milliseconds."""
        try:
            info = entry.stat()
            key = (info.st_ino, info.st_mtime_ns, info.st_size)
            cached = self.cache.get(entry.name)
            if cached and cached[0] == key and not fresh:
                return cached[1]
            with open(entry.path, "rb") as file:
                task = parse_task(file.read())
        except (OSError, ValueError):
            return None  # deleted meanwhile, or not a task: the board goes on without it
        self.cache[entry.name] = (key, task)
        return task

    def get(self, task_id: str) -> Task:
        return self.find(self.tasks(), task_id)

    @staticmethod
    def find(tasks: dict[str, Task], task_id: str) -> Task:
        """The task with this id, or a `ToolError` the model can act on: the ids that exist, and
        the task it probably meant when it gave a subject instead of an id."""
        if task_id in tasks:
            return tasks[task_id]
        meant = [t for t in tasks.values() if t.subject.strip().lower() == task_id.strip().lower()]
        hint = f" Did you mean task {meant[0].id} (its subject is {task_id!r})? Use the id." if meant else ""
        listed = "; ".join(f"{t.id}: {t.subject}" for t in sorted(tasks.values(), key=lambda t: t.number)[:50])
        raise ToolError(f"No task has the id {task_id!r}.{hint} Task ids are the numbers TaskCreate returned; "
                        f"the tasks are: {listed or '(none yet)'}.")

    # changing --------------------------------------------------------------------------------

    def create(self, subject: str, description: str = "", active_form: str | None = None) -> Task:
        with self.lock:
            # the next id: one past the last ever given, kept in a file, under the lock
            mark = self.folder / ".highwatermark"
            last = int(mark.read_text(encoding="utf-8") or 0) if mark.exists() else 0
            task = Task(id=str(last + 1), subject=subject, description=description, activeForm=active_form)
            self.write(task)  # subtle: the task before the mark; a kill in between costs nothing
            write_atomic(mark, task.id)
            return task

    def change(self, task_id: str, edit) -> tuple[Task, dict[str, Task]]:
        """Run `edit(task, tasks)` under the lock on fresh copies; write every task it changed.
        `edit` raises `ToolError` to refuse, and returns the tasks it changed. Returns the task
        and the whole board after the change."""
        with self.lock:
            tasks = self.tasks(fresh=True)
            task = self.find(tasks, task_id)
            before = {i: t.copy() for i, t in tasks.items()}
            edit(task, tasks)
            for changed in [t for i, t in tasks.items() if before.get(i) != t]:
                self.write(changed)
            return task, tasks

    def delete(self, task_id: str) -> Task:
        """Remove a task and every edge to it: the others first, then its file."""
        with self.lock:
            tasks = self.tasks(fresh=True)
            task = self.find(tasks, task_id)
            for other in tasks.values():
                if task.id in other.blocks or task.id in other.blockedBy:
                    other.blocks = [i for i in other.blocks if i != task.id]
                    other.blockedBy = [i for i in other.blockedBy if i != task.id]
                    self.write(other)
            (self.folder / f"{task.id}.json").unlink(missing_ok=True)
            return task

    def write(self, task: Task) -> None:
        write_atomic(self.folder / f"{task.id}.json", json.dumps(task.to_json(), ensure_ascii=False, indent=1))


# ---------------------------------------------------------------------------------------------


def mend(tasks: dict[str, Task]) -> dict[str, Task]:
    """Both sides of every edge, and no edge to a task that is not on the board."""
    for task in tasks.values():
        task.blocks = [i for i in dict.fromkeys(task.blocks) if i in tasks and i != task.id]
        task.blockedBy = [i for i in dict.fromkeys(task.blockedBy) if i in tasks and i != task.id]
    for task in tasks.values():
        for other in task.blocks:
            if task.id not in tasks[other].blockedBy:
                tasks[other].blockedBy.append(task.id)
        for other in task.blockedBy:
            if task.id not in tasks[other].blocks:
                tasks[other].blocks.append(task.id)
    return tasks


def blockers(task: Task, tasks: dict[str, Task]) -> list[Task]:
    """The tasks this one waits for: those in its `blockedBy` not yet completed."""
    return [tasks[i] for i in task.blockedBy if i in tasks and tasks[i].status != "completed"]


def is_ready(task: Task, tasks: dict[str, Task]) -> bool:
    """Pending, nobody's, and nothing it waits for is unfinished: free to start."""
    return task.status == "pending" and not task.owner and not blockers(task, tasks)


def reaches(tasks: dict[str, Task], start: str, goal: str) -> bool:
    """Whether `goal` is `start` or waits on it, through `blocks` edges (a path start -> ... -> goal)."""
    seen, stack = set(), [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(tasks[current].blocks if current in tasks else ())
    return False
