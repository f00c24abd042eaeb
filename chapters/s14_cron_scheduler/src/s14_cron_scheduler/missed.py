"""Fires that came due while no agent ran here: reported when the next agent starts, not replayed.

A durable job outlives the agent that made it. When an agent starts in the folder, each durable job
whose fire times passed meanwhile is told to the user (and, at the first prompt, to the model), and
its `last_fired` moves past them, under the store's lock. Ten missed "check the build" prompts in a
row would be noise at best; a missed "deploy the release" replayed a day late could do harm. The
user has the prompt in front of them and decides.

    missed 3 fires of a1b2c3d4 'run the tests' since Mon 2026-01-05 10:04:11; next Thu 2026-01-08 10:04:11
    missed the one fire of 5e6f7a8b 'remind me to call Ana' at Tue 2026-01-06 14:30:00; removed, not run
    a1b2c3d4 'run the tests' expired (7 days old) while no agent ran; removed

subtle: a fire due less than `GRACE` ago is late, not missed: an agent already running here is about
to fire it (or this one will, at its first tick).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from rich.text import Text

from s01_agent_loop.cli.inbox import Inbox

from .schedule import MAX_COUNTED, CronJob, when
from .store import FILE_NAME, CronStore

GRACE = timedelta(minutes=1)


def report_missed(store: CronStore, clock: Callable[[], datetime], inbox: Inbox) -> list[str]:
    """Tell the user of every durable job's missed fires, move the jobs past them, drop the expired
    ones; returns the notes (for the model)."""
    if not store.path.exists():
        return []  # nothing to report, and the clock is not read (see Clock.now)
    now, notes = clock(), []
    with store.changing() as contents:
        for job in list(contents.jobs.values()):
            kept, note = catch_up(job, now)
            if kept is None:
                del contents.jobs[job.id]
            elif kept is not job:
                contents.jobs[job.id] = kept
            if note:
                notes.append(note)
    for note in notes:
        inbox.tell(Text(f"⏰ {note}", "yellow"))
    if bad := len(contents.unreadable):
        inbox.tell(Text(f"⏰ {bad} {'entry' if bad == 1 else 'entries'} of .harness/{FILE_NAME} cannot be read as "
                        f"a job; kept as {'it is' if bad == 1 else 'they are'}, never fired", "yellow"))
    return notes


def catch_up(job: CronJob, now: datetime) -> tuple[CronJob | None, str | None]:
    """`job` after a time when no agent ran here: the job to keep (moved past its missed fires), or
    None when it expired or was a one-shot whose fire passed; and a note saying so (None: nothing missed)."""
    missed = job.due_by(now - GRACE)
    count = f"{len(missed)}{'+' if len(missed) >= MAX_COUNTED else ''} fire{'s' * (len(missed) != 1)}"
    if job.expired(now):
        after = f" after missing {count}" if missed else ""
        return None, f"{job.id} '{job.prompt}' expired (7 days old) while no agent ran{after}; removed"
    if missed and not job.recurring:
        return None, f"missed the one fire of {job.id} '{job.prompt}' at {when(job.due(missed[0]))}; removed, not run"
    if missed:
        moved = job.model_copy(update={"last_fired": missed[-1]})
        return moved, f"missed {count} of {job.id} '{job.prompt}' since {when(job.due(missed[0]))}; next {when(moved.next_due())}"
    return job, None
