"""Merging a lane back: its branch into the main checkout's branch, all or nothing.

    merge_lane(lanes, lane)
    -> "Merged lane/fix-median into main as 3f2a1b4: 1 file changed, 3 insertions(+), 1 deletion(-).
        Its folder and branch are removed."

The checks come first, each refusal saying what to do: the lane's work must be committed (a merge
takes commits, not loose files), there must be something to bring, and the main checkout must be on
a branch with no uncommitted changes to tracked files (an aborted merge could not give them back).
Then `git merge --no-ff`, so the history shows the lane as one merge. On a conflict the merge is
aborted, the main checkout is exactly as it was, the lane stays open, and the report names the
files and how to settle them inside the lane.
"""

from __future__ import annotations

from collections.abc import Callable

from s02_tool_use.tools import ToolError

from .lanes import Lane, Lanes
from .repository import GitError, changes, git, run_git

COMMIT_FIRST = """The lane {name!r} has {n} uncommitted change{s} ({files}). A merge brings commits, not
loose files: commit them in the lane first, e.g. WorktreeRun with name "{name}" and command
"git add -A && git commit -m 'what changed'", then merge."""
CONFLICT = """Merging {branch} into {target} stopped at conflicts in {n} file{s}: {files}. The merge was
aborted: {target} is exactly as it was, and the lane is still open. Both sides changed the same
lines; settle it in the lane: WorktreeRun with name "{name}" and command "git merge {target}", fix
the files git marks, commit, then close it out with action merge again."""


def merge_lane(lanes: Lanes, lane: Lane, before: Callable[[Lane], None] = lambda lane: None) -> str:
    """Merge `lane` into the main checkout; `before(lane)` runs once it is merged, before its folder
    goes (the WorktreeRemove hooks: a block keeps the folder, the merge stands)."""
    repo, folder = lanes.repo, lanes.path(lane)
    with lanes.lock:
        # 1. the lane: its work committed, and something to bring
        if dirty := changes(folder):
            raise ToolError(COMMIT_FIRST.format(name=lane.name, n=len(dirty), s="s" * (len(dirty) > 1),
                                                files=", ".join(line[3:] for line in dirty[:5])))
        target = repo.branch()
        if not repo.ahead(lane.branch):
            raise ToolError(f"The lane {lane.name!r} has no commits that {target or 'HEAD'} lacks: nothing to merge. "
                            "Close it out with action remove (or keep).")
        # 2. the main checkout: on a branch, its tracked files as committed
        if target is None:
            raise ToolError("The main checkout is not on a branch (a detached HEAD): check out the branch the lane "
                            "should be merged into, then merge again.")
        if dirty := changes(repo.root, tracked_only=True):
            raise ToolError(f"The main checkout has uncommitted changes ({', '.join(line[3:] for line in dirty[:5])}): "
                            "commit or stash them first; a merge on top of them could not be undone cleanly.")
        # 3. the merge; on a conflict: which files, then abort, so nothing is half done
        message = f"Merge lane {lane.name}" + (f" (task #{lane.task_id})" if lane.task_id else "")
        done = run_git(repo.root, "merge", "--no-ff", "--no-edit", "-m", message, lane.branch)
        if done.returncode:
            conflicted = git(repo.root, "diff", "--name-only", "--diff-filter=U").split("\n")
            conflicted = [name for name in conflicted if name]
            run_git(repo.root, "merge", "--abort")  # subtle: refused when no merge started; then nothing to undo
            if not conflicted:
                raise GitError(f"`git merge {lane.branch}` failed: {(done.stderr or done.stdout).strip()}")
            raise ToolError(CONFLICT.format(branch=lane.branch, target=target, n=len(conflicted), name=lane.name,
                                            s="s" * (len(conflicted) > 1), files=", ".join(conflicted)))
        # 4. merged: the record says so, and the lane's folder and branch go
        commit = repo.short("HEAD")
        stat = git(repo.root, "diff", "--shortstat", "HEAD^1", "HEAD").strip()
        lane.note = f"merged into {target} as {commit}"
        merged = f"Merged {lane.branch} into {target} as {commit}: {stat}.\n"
        try:
            before(lane)
        except ToolError as refusal:
            lanes.keep(lane)
            return f"{merged}Its folder stays (status kept): {refusal}"
        lanes.drop(lane)
        lane.status = "merged"
        lanes.save(lane)
        return f"{merged}Its folder and branch are removed."
