"""The harness's own runtime state: one folder, `<workdir>/.harness/`, that git never sees.

s02 owns it so that every chapter finds it in one place: s06 is the first to write there (spilled
tool outputs, transcripts); later chapters put their memory, tasks, inboxes and worktrees beside
them, always through `state_dir`:

    path = state_path(workdir, "transcripts", "20261105-142301-a3f9-1.jsonl")   # folders made
    write_atomic(path, text)    # s02: a reader sees the old file or the new one, never half

subtle: the folder carries its own `.gitignore` holding `*`, so the user's repository ignores it
without anyone editing the project's `.gitignore`.
"""

from __future__ import annotations

from pathlib import Path

from .files import write_atomic

STATE_DIR = ".harness"


def state_dir(workdir: Path) -> Path:
    """`<workdir>/.harness/`, created on first use with a `.gitignore` that ignores everything in it."""
    folder = Path(workdir) / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, "*\n")
    return folder


def state_path(workdir: Path, *parts: str) -> Path:
    """A file inside the state folder, its parent folders created: `state_path(w, "transcripts", "x.jsonl")`."""
    path = state_dir(workdir).joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
