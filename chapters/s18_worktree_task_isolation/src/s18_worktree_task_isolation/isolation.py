"""Agents in lanes: a subagent whose work dir is a lane, and one command run in a lane.

Everything that guards an agent reads the agent's own work dir when it acts: s02's path
confinement (`ctx.workdir`), s07's rules (`Edit(wordstats/**)` is anchored at `agent.workdir`),
s08's hooks (they run with their cwd and `CLAUDE_PROJECT_DIR` there). So putting an agent in a lane
needs no new checks, only an agent whose work dir is the lane:

- `LaneIsolation` is s04's `Isolation` for agent files that say `isolation: worktree`: each Task of
  such a type makes a fresh lane, the child works there, and when it ends the lane is kept if it
  changed something (the Task result says where) or removed if it did not.
- `run_in_lane` runs one bash call as a throwaway agent in the lane would: the same gate, the same
  hooks, the lane as the work dir. It is how `WorktreeRun` stays as guarded as `bash`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from rich.text import Text

from s01_agent_loop.agent import View
from s02_tool_use import Harness
from s02_tool_use.paths import display_path
from s02_tool_use.tools import ToolError
from s04_subagent.subagents import child_parts

from .lanes import Lane, Lanes
from .repository import changes

WHERE = """You work in the lane {name}: a git worktree of this repository, of your own, on the
branch {branch}, made from commit {base} for this task alone. It is your work dir ({path}); nothing
you change here touches the main checkout until your caller merges your branch. Your caller merges
commits, not loose changes: before your final report, commit your work in the lane
(git add -A && git commit -m "what you did"), and say in the report what you committed."""
KEPT = """[worktree: the subagent's work is kept in the lane {name} ({path}, branch {branch}): {work}.
Merge it with WorktreeCloseout {{"name": "{name}", "action": "merge"}}, or remove it.]"""


def hooks_may(agent, event: str, lanes: Lanes) -> Callable[[Lane], None]:
    """A `before` for `Lanes`: `event`'s hooks (s08) get the lane as their input; a block refuses."""

    def before(lane: Lane) -> None:
        outcome = agent.emit(event, name=lane.name, worktree_path=str(lanes.path(lane)), branch=lane.branch,
                             base_commit=lane.base, task_id=lane.task_id)
        if outcome.block:
            raise ToolError(f"A {event} hook refused: {outcome.block}")

    return before


class LaneIsolation:
    """`isolation: worktree` for s04's Task: a fresh lane per run, kept only if it holds work."""

    def __init__(self):
        self.lanes_in_use: dict[Path, str] = {}  # a child's work dir -> its lane's name

    def enter(self, parent, agent_type, description: str) -> tuple[Path, str]:
        lanes = Lanes(parent.workdir)
        lane = lanes.create(lanes.fresh_name(agent_type.name), owner=f"{agent_type.name} subagent: {description}",
                            before=hooks_may(parent, "WorktreeCreate", lanes))
        workdir = lanes.workdir(lane)
        self.lanes_in_use[workdir] = lane.name
        shown = display_path(parent.workdir, lanes.path(lane))
        parent.view.notice(Text(f"⎇ lane {lane.name}: {shown}, branch {lane.branch} from "
                                f"{lanes.repo.short(lane.base)}", style="green"))
        return workdir, WHERE.format(name=lane.name, branch=lane.branch, base=lanes.repo.short(lane.base), path=workdir)

    def leave(self, parent, workdir: Path) -> str:
        name = self.lanes_in_use.pop(workdir)
        try:
            return self.close(parent, name)
        except ToolError as error:  # subtle: the child's report still reaches the parent
            return f"[worktree: the lane {name} could not be closed out: {error}]"

    def close(self, parent, name: str) -> str:
        lanes = Lanes(parent.workdir)
        lane = lanes.get(name)
        dirty, commits = changes(lanes.path(lane)), lanes.repo.ahead(lane.branch, of=lane.base)
        shown = display_path(parent.workdir, lanes.path(lane))
        if not dirty and not commits:  # nothing to keep: as in Claude Code, a clean lane goes
            try:
                lanes.remove(lane, before=hooks_may(parent, "WorktreeRemove", lanes))
                parent.view.notice(Text(f"⎇ lane {lane.name} removed: the subagent changed nothing", style="dim"))
                return ""
            except ToolError as refusal:
                parent.view.notice(Text(f"⎇ lane {lane.name} kept: {refusal}", style="yellow"))
        lanes.keep(lane)
        work = ", ".join(filter(None, [f"{commits} commit{'s' * (commits != 1)}" if commits else "no commits",
                                       f"{len(dirty)} uncommitted change{'s' * (len(dirty) != 1)} (commit them "
                                       "in the lane before merging)" if dirty else ""]))
        parent.view.notice(Text(f"⎇ lane {lane.name} kept: {work}", style="green"))
        return KEPT.format(name=lane.name, path=shown, branch=lane.branch, work=work)


# ---------------------------------------------------------------------------------------------


class LaneView(View):
    """What an agent in a lane shows for one command: its notices (a denial, a hook's line) go to
    the parent's view; the call itself is drawn already, as the parent's WorktreeRun."""

    def __init__(self, view: View):
        self.view = view

    def notice(self, item) -> None:
        self.view.notice(item)

    def show(self, item) -> None:
        self.view.notice(item)


def run_in_lane(parent, workdir: Path, command: str, timeout: float | None = None) -> tuple[str, bool]:
    """One `bash` call in `workdir`, through the gate and the hooks, as an agent working there would
    make it: built like a subagent (s04's `child_parts`), used for this call only."""
    tools, extensions = child_parts(parent)
    worker = Harness(parent.model, parent.config, workdir, LaneView(parent.view), tools=tools, extensions=extensions)
    call = SimpleNamespace(id=f"toolu_lane_{uuid.uuid4().hex[:16]}", name="bash",
                           input={"command": command} | ({"timeout": timeout} if timeout else {}))
    return worker.execute(call)
