"""The harness's own runtime state: one folder, `<workdir>/.harness/`, that git never sees.

s02 owns it so that every chapter finds it in one place: s06 is the first to write there (spilled
tool outputs, transcripts); later chapters put their memory, tasks, inboxes and worktrees beside
them, always through `state_dir`:

    path = state_path(workdir, "transcripts", "20261105-142301-a3f9-1.jsonl")   # folders made
    write_atomic(path, text)    # s02: a reader sees the old file or the new one, never half

subtle: the folder carries its own `.gitignore` holding `*`, so the user's repository ignores it
without anyone editing the project's `.gitignore`.

An atomic write whose process was killed (kill -9) leaves its temp file behind
(`.note.md.b8b44550.tmp`); the first use of the folder in a process removes the stale ones.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from .files import write_atomic

STATE_DIR = ".harness"
STALE_TEMP_SECONDS = 3600
"""A temp file of `write_atomic` older than this was left by a writer that died; a younger one may
be a write in progress in another process."""
TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")  # write_atomic's `.<name>.<8 hex digits>.tmp`

_swept: set[str] = set()  # the state folders already cleaned in this process


def state_dir(workdir: Path) -> Path:
    """`<workdir>/.harness/`, created on first use with a `.gitignore` that ignores everything in it;
    the first use in a process also removes stale temp files (`remove_stale_temp_files`)."""
    folder = Path(workdir) / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, "*\n")
    if (key := os.path.abspath(folder)) not in _swept:
        _swept.add(key)
        remove_stale_temp_files(folder)
    return folder


def state_path(workdir: Path, *parts: str) -> Path:
    """A file inside the state folder, its parent folders created: `state_path(w, "transcripts", "x.jsonl")`."""
    path = state_dir(workdir).joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def remove_stale_temp_files(folder: Path, max_age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete the temp files `write_atomic` leaves when its process is killed mid-write: named as it
    names them and older than `max_age` seconds, anywhere under `folder`. Returns what it removed.
    subtle: a folder holding `.git` (a worktree) has the user's files, not ours, and is not entered."""
    removed, cutoff = [], time.time() - max_age
    for root, folders, files in os.walk(folder):  # unreadable folders are skipped; links not followed
        folders[:] = [name for name in folders if not os.path.lexists(os.path.join(root, name, ".git"))]
        for name in filter(TEMP_NAME.fullmatch, files):
            path = Path(root, name)
            try:
                if path.lstat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except OSError:  # gone already (another process cleaned it), or not ours to remove
                pass
    return removed
