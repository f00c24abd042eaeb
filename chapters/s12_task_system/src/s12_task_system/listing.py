"""The board as the model reads it (`TaskList`, one line a task) and as the user sees it (`/tasks`,
a rich tree that follows the dependencies).

    4 tasks: 1 in progress, 1 ready, 1 blocked, 1 completed
    #1 [completed] Read the stats module
    #2 [in_progress, owner: lead] Fix the median
    #3 [ready] Add a test for even counts
    #4 [blocked by #2, #3] Run the whole suite
"""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from .board import blockers, is_ready
from .tasks import Task

STYLES = {"in_progress": "yellow", "ready": "bold", "blocked": "dim", "pending": "", "completed": "green"}
MARKS = {"completed": "✔", "in_progress": "◐", "ready": "○", "blocked": "⏸", "pending": "○"}


def state_of(task: Task, tasks: dict[str, Task]) -> str:
    """completed, in_progress, ready, blocked, or pending (not blocked, but someone owns it)."""
    if task.status != "pending":
        return task.status
    return "blocked" if blockers(task, tasks) else "ready" if is_ready(task, tasks) else "pending"


def task_line(task: Task, tasks: dict[str, Task]) -> str:
    """`#4 [blocked by #2, #3] Run the whole suite`."""
    state = state_of(task, tasks)
    facts = [state if state != "blocked" else "blocked by " + ", ".join(f"#{t.id}" for t in blockers(task, tasks))]
    if task.owner:
        facts.append(f"owner: {task.owner}")
    return f"#{task.id} [{', '.join(facts)}] {task.subject}"


def board_text(tasks: dict[str, Task], only_open: bool = False) -> str:
    """What `TaskList` returns: a count by state, then one line per task in id order."""
    if not tasks:
        return "No tasks yet. Create them with TaskCreate."
    ordered = sorted(tasks.values(), key=lambda t: t.number)
    states = [state_of(t, tasks) for t in ordered]
    counts = ", ".join(f"{states.count(s)} {s.replace('_', ' ')}" for s in STYLES if states.count(s))
    lines = [task_line(t, tasks) for t, s in zip(ordered, states, strict=True) if not only_open or s != "completed"]
    return f"{len(ordered)} task{'s' * (len(ordered) != 1)}: {counts}\n" + "\n".join(lines)


def task_detail(task: Task, tasks: dict[str, Task]) -> str:
    """What `TaskGet` returns: the line, the description, and both sides of its edges."""
    lines = [task_line(task, tasks)]
    if task.activeForm:
        lines.append(f"activeForm: {task.activeForm}")
    if task.blockedBy:
        lines.append("waits for: " + ", ".join(f"#{i} ({tasks[i].status})" for i in task.blockedBy))
    if task.blocks:
        lines.append("blocks: " + ", ".join(f"#{i}" for i in task.blocks))
    lines.append(f"description: {task.description}" if task.description else "description: (none)")
    return "\n".join(lines)


# --- for the user ----------------------------------------------------------------------------


def render_board(tasks: dict[str, Task]) -> Tree | Text:
    """The board as a tree: each task under the first task it waits for; a task that waits for
    several shows the others as `also after #n`."""
    if not tasks:
        return Text("no tasks yet: the model adds them with TaskCreate", style="dim")
    ordered = sorted(tasks.values(), key=lambda t: t.number)
    tree = Tree(Text(board_text(tasks).splitlines()[0], style="bold"), guide_style="dim")
    children: dict[str, list[Task]] = {}
    for task in ordered:
        if task.blockedBy:
            children.setdefault(task.blockedBy[0], []).append(task)
    shown: set[str] = set()

    def add(branch: Tree, task: Task) -> None:
        shown.add(task.id)
        node = branch.add(label(task, tasks))
        for child in children.get(task.id, []):
            if child.id not in shown:  # subtle: the board has no cycles, but a mended file might
                add(node, child)

    for task in ordered:
        if not task.blockedBy or task.blockedBy[0] not in tasks:
            add(tree, task)
    for task in ordered:  # anything unreached (a cycle written by hand) still shows
        if task.id not in shown:
            add(tree, task)
    return tree


def label(task: Task, tasks: dict[str, Task]) -> Text:
    state = state_of(task, tasks)
    text = Text.assemble((f"{MARKS[state]} #{task.id} ", STYLES[state]), (task.subject, STYLES[state]))
    if state == "in_progress" and task.activeForm:
        text.append(f"  {task.activeForm}…", style="yellow italic")
    if task.owner:
        text.append(f"  ({task.owner})", style="cyan")
    others = [f"#{i}" for i in task.blockedBy[1:]]
    if others:
        text.append(f"  also after {', '.join(others)}", style="dim")
    return text
