"""The git underneath the lanes: one function runs git, one class names the repository.

Every command is `git -C <folder> <args...>` as a list, never a shell string, so a lane name or a
base the model wrote cannot become a second command. Every failure becomes a `GitError` (a
`ToolError`: the model reads it) that carries git's own words, and the two ways a folder cannot
have worktrees at all (it is not in a repository; the repository has no commit yet) get one clear
message each, saying what to run.

    repo = Repository.of(Path("/w/sub"))    # -> Repository(root=Path("/w"), prefix="sub")
    git(repo.root, "rev-parse", "HEAD")     # -> "3f2a1b...\\n"
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from s02_tool_use.tools import ToolError

GIT_TIMEOUT = 120.0
"""Seconds a git command may take (a checkout of a large tree) before it is killed."""
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_MERGE_AUTOEDIT": "no", "GIT_OPTIONAL_LOCKS": "0"}
"""Never wait for a password or an editor: nobody is there to type into git's prompts."""

NOT_A_REPOSITORY = """{folder} is not in a git repository. A worktree is a second checkout of a
repository's commit, so there is nothing to make one from here. To make this folder a repository
with its files as they are: git init && git add -A && git commit -m "base"."""
NO_COMMITS = """The repository at {root} has no commits yet, and a worktree starts from a commit.
Make the first one: git add -A && git commit -m "base"."""


class GitError(ToolError):
    """A git command failed; the message names the command and holds git's own words."""


def run_git(folder: Path, *args: str, timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess:
    """`git -C folder args...`, whatever its exit code; a GitError only when git cannot run at all."""
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=timeout, stdin=subprocess.DEVNULL, env=os.environ | GIT_ENV)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH), and worktrees are made by git.") from None
    except subprocess.TimeoutExpired:  # subtle: subprocess.run has killed it already
        raise GitError(f"`git {' '.join(args)}` took longer than {timeout:g} s and was stopped.") from None


def git(folder: Path, *args: str) -> str:
    """The stdout of `git -C folder args...`; a GitError with git's stderr if it fails."""
    done = run_git(folder, *args)
    if done.returncode:
        said = (done.stderr or done.stdout).strip() or f"exit code {done.returncode}"
        raise GitError(f"`git {' '.join(args)}` failed: {said}")
    return done.stdout


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repository:
    root: Path
    """The top folder of the main checkout."""
    prefix: str
    """Where the work dir is inside it, e.g. `sub/pkg` ("" at the top): a lane's work dir is the same
    folder of the lane."""

    @classmethod
    def of(cls, workdir: Path) -> Repository:
        """The repository the work dir is in; a ToolError that says what to do if there is none, or
        if it has no commit yet."""
        found = run_git(workdir, "rev-parse", "--show-toplevel", "--show-prefix")
        if found.returncode:
            raise ToolError(NOT_A_REPOSITORY.format(folder=Path(workdir).resolve()))
        root, prefix = (found.stdout.splitlines() + ["", ""])[:2]
        if run_git(workdir, "rev-parse", "--verify", "--quiet", "HEAD").returncode:
            raise ToolError(NO_COMMITS.format(root=root))
        return cls(Path(root), prefix.strip().rstrip("/"))

    def commit(self, name: str) -> str:
        """The full id of the commit `name` means (a branch, a tag, a short id); a ToolError if none."""
        done = run_git(self.root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        if done.returncode or not name.strip() or name.startswith("-"):
            raise ToolError(f"{name!r} is not a commit of this repository (try a branch name, a tag or a commit id).")
        return done.stdout.strip()

    def branch(self) -> str | None:
        """The branch the main checkout is on; None for a detached HEAD."""
        done = run_git(self.root, "symbolic-ref", "--quiet", "--short", "HEAD")
        return (done.stdout.strip() or None) if done.returncode == 0 else None

    def short(self, commit: str) -> str:
        return git(self.root, "rev-parse", "--short", commit).strip()

    def ahead(self, branch: str, of: str = "HEAD") -> int:
        """How many commits `branch` has that `of` lacks."""
        return int(git(self.root, "rev-list", "--count", f"{of}..{branch}").strip() or 0)


def changes(folder: Path, tracked_only: bool = False) -> list[str]:
    """The checkout's uncommitted changes, one `XY path` line each (`git status --porcelain`):
    modified, staged, and (unless `tracked_only`) untracked files; never ignored ones (`.harness/`)."""
    out = git(folder, "status", "--porcelain", "--untracked-files=no" if tracked_only else "--untracked-files=all")
    return [line for line in out.splitlines() if line.strip()]
