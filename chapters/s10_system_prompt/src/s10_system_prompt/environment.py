"""The environment section: where the agent runs, today's date, and the state of git.

Read once at the start of a session: a date or a `git status` that changed between two requests
would change the system prompt, and every cached token after the change would be paid again. The
text says it is a snapshot, as Claude Code's does, so the model runs `git status` when it needs
the state now.
"""

from __future__ import annotations

import datetime
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

GIT_TIMEOUT = 3.0  # seconds per git command; a slow or hung git must not stall the start
STATUS_LINES = 20  # `git status --short` lines shown; the rest are counted
RECENT_COMMITS = 5


@dataclass
class Environment:
    workdir: Path
    platform: str
    """`sys.platform`: linux, darwin, win32."""
    os_version: str
    today: datetime.date
    is_git_repo: bool = False
    branch: str | None = None
    """None outside a repository, or on a detached HEAD."""
    status: list[str] = field(default_factory=list)
    """The lines of `git status --short`, all of them (`render` caps them)."""
    commits: list[str] = field(default_factory=list)
    """`git log --oneline` for the last few commits."""


def read_environment(workdir: Path, today: datetime.date | None = None) -> Environment:
    """The environment now. Without git, or outside a repository, the git fields stay empty."""
    env = Environment(Path(workdir), sys.platform, f"{platform.system()} {platform.release()}".strip(),
                      today or datetime.date.today())
    inside = git(workdir, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != "true":
        return env
    env.is_git_repo = True
    env.branch = (git(workdir, "branch", "--show-current") or "").strip() or None
    env.status = (git(workdir, "status", "--short") or "").splitlines()
    env.commits = (git(workdir, "log", "--oneline", f"-n{RECENT_COMMITS}") or "").splitlines()
    return env


def git(workdir: Path, *args: str) -> str | None:
    """A git command's stdout, or None if git is missing, failed or took longer than GIT_TIMEOUT."""
    try:
        done = subprocess.run(["git", *args], cwd=workdir, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def render(env: Environment) -> str:
    """Claude Code's `<env>` block, then the git snapshot when there is a repository."""
    lines = [
        "Here is useful information about the environment you are running in:",
        "<env>",
        f"Working directory: {env.workdir}",
        f"Is directory a git repo: {'Yes' if env.is_git_repo else 'No'}",
        f"Platform: {env.platform}",
        f"OS Version: {env.os_version}",
        f"Today's date: {env.today.isoformat()}",
        "</env>",
    ]
    if not env.is_git_repo:
        return "\n".join(lines)
    status = env.status[:STATUS_LINES] or ["(clean)"]
    if len(env.status) > STATUS_LINES:
        status.append(f"... and {len(env.status) - STATUS_LINES} more lines (run `git status` to see them all)")
    lines += [
        "",
        "This is the git status at the start of the conversation. Note that this status is a snapshot in "
        "time, and will not update during the conversation.",
        f"Current branch: {env.branch or '(detached HEAD)'}",
        "",
        "Status:",
        *status,
        "",
        "Recent commits:",
        *(env.commits or ["(none yet)"]),
    ]
    return "\n".join(lines)
