"""`CronStore`: the durable jobs, in one file shared by every agent working in this folder.

    .harness/scheduled_tasks.json        {"jobs": [{"id": "a1b2c3d4", "cron": "0 10 * * *", ...}]}
    .harness/scheduled_tasks.json.lock   one writer at a time, across threads and processes (filelock)

Reads take no lock: the file is always whole (s02's `write_atomic`: a temp file, then a rename), so
a kill -9 at any moment leaves the old jobs or the new ones, never half. Every change is a
read-modify-write under the lock, and so is the decision to fire (`claim`): the agent that records
the fire in the file fires; an agent that finds it recorded already does not. Two agents in one
folder never both fire a durable job.

Nothing is lost to a mistake: an entry this code cannot read is kept as it is, and reported; a file
that is not JSON at all is never overwritten (durable jobs are off until someone mends it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import ValidationError

from s02_tool_use.files import write_atomic
from s02_tool_use.state import STATE_DIR, state_dir

from .schedule import CronJob

FILE_NAME = "scheduled_tasks.json"
LOCK_TIMEOUT = 10.0
"""Seconds to wait for another writer before giving up with a clear error."""


class StoreError(Exception):
    """The durable jobs cannot be read or changed now; the message says why and what to do."""


@dataclass
class Contents:
    jobs: dict[str, CronJob] = field(default_factory=dict)  # id -> job, in file order
    unreadable: list = field(default_factory=list)  # raw entries this code cannot read, kept as they are
    text: str = ""  # the file as read

    def dumps(self) -> str:
        entries = [job.model_dump(mode="json") for job in self.jobs.values()] + self.unreadable
        return json.dumps({"jobs": entries}, indent=2, ensure_ascii=False) + "\n"


class CronStore:
    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.path = self.workdir / STATE_DIR / FILE_NAME  # subtle: the folder is made at the first write, not here
        # subtle: thread_local (filelock's default) gives each thread its own handle, so the ticker
        # thread and a tool call exclude each other as two processes do
        self.lock = FileLock(self.path.with_name(FILE_NAME + ".lock"), timeout=LOCK_TIMEOUT)
        self.mutex = threading.Lock()  # and one change at a time inside this process, cheaply
        self.cached: tuple[tuple, Contents] | None = None  # ((inode, mtime_ns, size), what it held)

    def read(self, fresh: bool = False) -> Contents:
        """What the file holds now (nothing, when there is no file). The ticker reads it every
        second: unless `fresh`, the same file as last time (an atomic write makes a new inode)
        with the same time and size is not read again."""
        try:
            info = self.path.stat()
            key = (info.st_ino, info.st_mtime_ns, info.st_size)
            if not fresh and self.cached is not None and self.cached[0] == key:
                contents = self.cached[1]
                return Contents(dict(contents.jobs), list(contents.unreadable), contents.text)
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return Contents()
        except OSError as error:
            raise StoreError(f"{self.path} cannot be read ({error.strerror}); durable jobs are off") from None
        contents = self.parse(text)
        self.cached = (key, contents)
        return Contents(dict(contents.jobs), list(contents.unreadable), contents.text)

    def parse(self, text: str) -> Contents:
        """The file's text as jobs; an entry that is not a job is kept aside, as it is."""
        try:
            entries = json.loads(text).get("jobs", []) if text.strip() else []
        except (ValueError, AttributeError) as error:
            raise StoreError(f"{self.path} is not a jobs file ({error}); durable jobs are off until it is mended "
                             "or removed (it is left as it is)") from None
        contents = Contents(text=text)
        for entry in entries if isinstance(entries, list) else [entries]:
            try:
                job = CronJob.model_validate(entry)
            except ValidationError:
                contents.unreadable.append(entry)
                continue
            contents.jobs[job.id] = job.model_copy(update={"durable": True})
        return contents

    @contextmanager
    def changing(self) -> Iterator[Contents]:
        """Read, let the caller change the jobs, write (if they changed): all under the lock."""
        state_dir(self.workdir)  # the folder, with its .gitignore, before the lock file goes in it
        try:
            with self.mutex, self.lock:
                contents = self.read(fresh=True)
                yield contents
                if (text := contents.dumps()) != contents.text:
                    write_atomic(self.path, text)
        except Timeout:
            raise StoreError(f"{self.lock.lock_file} stayed locked for {LOCK_TIMEOUT:g} s (another agent is "
                             "writing it); try again") from None

    def add(self, job: CronJob) -> None:
        with self.changing() as contents:
            contents.jobs[job.id] = job

    def remove(self, job_id: str) -> CronJob | None:
        with self.changing() as contents:
            return contents.jobs.pop(job_id, None)

    def claim(self, job_id: str, cron_time: datetime, now: datetime) -> CronJob | None:
        """Record the fire of `job_id` for `cron_time`, under the lock. Returns the job to fire, or
        None when another agent fired it already, or deleted it."""
        with self.changing() as contents:
            job = contents.jobs.get(job_id)
            if job is None or (job.last_fired is not None and job.last_fired >= cron_time):
                return None
            if (kept := job.after_fire(cron_time, now)) is None:
                contents.jobs.pop(job_id)  # its last fire: a one-shot job, or one past its 7 days
            else:
                contents.jobs[job_id] = kept
            return job
