"""Lanes: a git worktree per task, on a branch of its own, and the record of each.

Two agents editing one checkout trip over each other: one runs the tests while the other is half
way through a change. A lane is a second checkout of the same repository (`git worktree add`), in
`.harness/worktrees/<name>`, on its own branch `lane/<name>`, started from a known commit. Work
there changes nothing in the main checkout until the lane is merged back.

    .harness/worktrees/
        .lock           one writer at a time, across threads and processes (filelock)
        lanes.json      every lane's record, written atomically: {"fix-median": {...}, ...}
        fix-median/     the lane itself: a checkout of the repository

A lane's life: active -> kept (closed out, left on disk to merge later) -> merged or removed.
Every step checks first (is the lane clean? is anything unmerged?) and only then calls `before(lane)`,
where the caller runs the WorktreeCreate / WorktreeRemove hooks, which may refuse by raising.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal

from filelock import FileLock
from pydantic import BaseModel

from s02_tool_use.files import write_atomic
from s02_tool_use.state import STATE_DIR, state_dir
from s02_tool_use.tools import ToolError

from .repository import Repository, changes, git, run_git

NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
LOCK_TIMEOUT = 60.0
Status = Literal["active", "kept", "removed", "merged"]


class Lane(BaseModel):
    name: str
    branch: str
    """`lane/<name>`: the lane's commits, until it is merged or removed."""
    base: str
    """The commit it started from."""
    task_id: str | None = None
    """The task on the s12 board it is for; None for a subagent's lane (its Task call is its task)."""
    owner: str | None = None
    """Who works in it, when not the main agent: "fixer subagent: fix the median"."""
    teammate: str | None = None
    """`<team>/<name>` for a teammate's lane (team_lanes.py): how the teammate, a thread or a process
    of its own, finds the lane it was spawned into."""
    status: Status = "active"
    created: str = ""
    note: str = ""
    """How it ended: the merge commit, or why it was removed."""

    @property
    def open(self) -> bool:
        return self.status in ("active", "kept")


class Lanes:
    def __init__(self, workdir: Path):
        self.repo = Repository.of(workdir)  # a ToolError outside a repository, or before a first commit
        self.folder = state_dir(workdir) / "worktrees"
        self.folder.mkdir(exist_ok=True)
        self.index = self.folder / "lanes.json"
        self.lock = FileLock(self.folder / ".lock", timeout=LOCK_TIMEOUT)

    @staticmethod
    def made_in(workdir: Path) -> bool:
        """Whether lanes were ever made here: a cheap look, with no git and no folder created."""
        return (Path(workdir) / STATE_DIR / "worktrees").is_dir()

    # the records -----------------------------------------------------------------------------

    def all(self) -> dict[str, Lane]:
        if not self.index.exists():
            return {}
        try:
            return {name: Lane.model_validate(record) for name, record in json.loads(self.index.read_bytes()).items()}
        except (ValueError, TypeError, AttributeError) as error:
            raise ToolError(f"{self.index} cannot be read ({error}); fix it or delete it.") from None

    def save(self, lane: Lane) -> None:
        """Write one lane's record (under the lock: read, change, write)."""
        with self.lock:
            lanes = self.all() | {lane.name: lane}
            write_atomic(self.index, json.dumps({n: v.model_dump() for n, v in lanes.items()}, indent=1))

    def get(self, name: str, open_only: bool = True) -> Lane:
        """The lane called `name`; a ToolError listing the open lanes if there is none (or it is closed)."""
        lanes = self.all()
        lane = lanes.get(name)
        if lane is None or (open_only and not lane.open):
            listed = ", ".join(n for n, v in lanes.items() if v.open) or "none"
            why = f"is {lane.status}" if lane else "does not exist"
            raise ToolError(f"The lane {name!r} {why}. Open lanes: {listed}. WorktreeList shows every lane.")
        return lane

    def path(self, lane: Lane) -> Path:
        return self.folder / lane.name

    def workdir(self, lane: Lane) -> Path:
        """Where an agent in the lane works: the lane's copy of the folder the main agent works in."""
        return self.path(lane) / self.repo.prefix if self.repo.prefix else self.path(lane)

    def fresh_name(self, stem: str) -> str:
        """`fixer` -> `fixer-1`, or the next number not taken."""
        stem = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:30] or "lane"
        taken = set(self.all())
        return next(f"{stem}-{n}" for n in range(1, len(taken) + 2) if f"{stem}-{n}" not in taken)

    # the life of a lane ----------------------------------------------------------------------

    def create(self, name: str, base: str | None = None, task_id: str | None = None, owner: str | None = None,
               before: Callable[[Lane], None] = lambda lane: None, teammate: str | None = None) -> Lane:
        """A new lane: `git worktree add -b lane/<name> <folder> <base>`, and its record."""
        if not NAME.fullmatch(name):
            raise ToolError(f"{name!r} cannot name a lane: use lowercase letters, digits and hyphens, at most 40 "
                            "(e.g. fix-median).")
        with self.lock:
            if (old := self.all().get(name)) and old.open:
                raise ToolError(f"The lane {name!r} exists already ({old.status}): work in it, or close it out first.")
            lane = Lane(name=name, branch=f"lane/{name}", base=self.repo.commit(base or "HEAD"), task_id=task_id,
                        owner=owner, teammate=teammate, created=datetime.now().isoformat(timespec="seconds"))
            before(lane)
            git(self.repo.root, "worktree", "add", "--quiet", "-b", lane.branch, str(self.path(lane)), lane.base)
            self.save(lane)
            return lane

    def keep(self, lane: Lane) -> Lane:
        """Close it out but leave it on disk, to merge (or remove) later."""
        lane.status = "kept"
        self.save(lane)
        return lane

    def remove(self, lane: Lane, force: bool = False, before: Callable[[Lane], None] = lambda lane: None) -> Lane:
        """Delete the lane's folder and branch. Refused while it holds work that would be lost (changes
        not committed, commits not merged), unless `force`."""
        with self.lock:
            if not force:
                self.refuse_to_lose(lane)
            before(lane)
            self.drop(lane)
            lane.status, lane.note = "removed", "removed with its changes thrown away" if force else "removed"
            self.save(lane)
            return lane

    def refuse_to_lose(self, lane: Lane) -> None:
        """A ToolError if removing the lane would lose work: changes in its folder (if it still has
        one), or commits on its branch (if it still has one) that the main checkout lacks."""
        if self.path(lane).is_dir() and (dirty := changes(self.path(lane))):
            shown = ", ".join(line[3:] for line in dirty[:5]) + (", ..." if len(dirty) > 5 else "")
            raise ToolError(f"The lane {lane.name!r} has {len(dirty)} uncommitted change{'s' * (len(dirty) > 1)} "
                            f"({shown}); removing it would lose them. Commit them and merge, keep the lane, or "
                            "remove it with force: true to throw them away.")
        has_branch = run_git(self.repo.root, "rev-parse", "--verify", "--quiet", lane.branch).returncode == 0
        if has_branch and (ahead := self.repo.ahead(lane.branch)):
            raise ToolError(f"The lane {lane.name!r} has {ahead} commit{'s' * (ahead > 1)} that the main checkout "
                            "does not: merge them, keep the lane, or remove it with force: true to throw them away.")

    def drop(self, lane: Lane) -> None:
        """The folder (git's record of it too) and the branch go. The callers checked first that
        nothing is lost (or were told to throw it away): so `--force`, which also takes the
        harness's own ignored files in the lane (`.harness/`) with it."""
        if self.path(lane).is_dir():
            git(self.repo.root, "worktree", "remove", "--force", str(self.path(lane)))
        else:
            git(self.repo.root, "worktree", "prune")
        run_git(self.repo.root, "branch", "-D", lane.branch)  # subtle: a branch gone already is fine

    def prune(self) -> list[Lane]:
        """At the start of a session: git forgets worktrees whose folders are gone, and so do the
        records (their branches stay: commits are never thrown away behind anyone's back)."""
        git(self.repo.root, "worktree", "prune")
        gone = []
        with self.lock:
            for lane in self.all().values():
                if lane.open and not self.path(lane).is_dir():
                    lane.status, lane.note = "removed", f"its folder was gone at a start; branch {lane.branch} kept"
                    self.save(lane)
                    gone.append(lane)
        return gone
