"""How background jobs are shown: the user's one dim line when a job ends, the `/jobs` table, and the
text the model reads (the note before its next request, `JobList`)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from s06_context_compact.spill import size_of

from .jobs import TAIL_BYTES, Job, duration

MARKS = {"running": ("◷", "yellow"), "done": ("✔", "green"), "failed": ("✘", "red")}


def ended_line(job: Job) -> Text:
    """What the user is told the moment a job ends, e.g.

        ✘ bg-3f2a1b ended: exit code 1 after 1.4 s · python -m unittest
    """
    mark, colour = MARKS.get(job.status, ("■", "yellow"))
    return Text.assemble((f"{mark} ", colour), (f"{job.id} ended: {job.ending()} · ", "dim"),
                         (one_line(job.command, 60), "dim"))


def ended_note(jobs: list[Job]) -> str:
    """The one text block the model gets before its next request, for every job that ended since
    the last one: id, command, how it ended, the end of its output and where the rest is. subtle:
    the tails share twice `TAIL_BYTES`, so twenty jobs ending at once make a note no longer than two."""
    share = max(TAIL_BYTES * 2 // len(jobs), 200)
    parts = [f"<background-tasks>\n{len(jobs)} background command{'s' * (len(jobs) != 1)} ended since your "
             "last request."]
    for job in jobs:
        parts.append(f"{job.id} `{one_line(job.command, 200)}`: {job.ending()}. Last lines of its output "
                     f"({size_of(job.size)} in all, in {job.shown}):\n{job.tail(max_bytes=min(share, TAIL_BYTES))}")
    return "\n\n".join(parts) + "\n</background-tasks>"


def job_lines(jobs: list[Job]) -> str:
    """`JobList`'s answer: one line per job, newest last."""
    if not jobs:
        return "No background commands in this session."
    return "\n".join(f"{job.id}  {job.status}  exit {job.exit_text}  {duration(job.runtime)}  "
                     f"{size_of(job.size)} of output  {one_line(job.command, 200)}" for job in jobs)


def jobs_table(jobs: list[Job]) -> Table:
    """`/jobs`: id, command, status, exit code, runtime and output size of every job."""
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("command", overflow="ellipsis", no_wrap=True, ratio=1)
    for name in ("status", "exit", "runtime", "output"):
        table.add_column(name, no_wrap=True, justify="right" if name in ("runtime", "output") else "left")
    for job in jobs:
        mark, colour = MARKS.get(job.status, ("■", "yellow"))
        table.add_row(job.id, one_line(job.command, 200), Text(f"{mark} {job.status}", style=colour),
                      job.exit_text, duration(job.runtime), size_of(job.size))
    return table


def one_line(text: str, limit: int = 100) -> str:
    """`text` on one line (its whitespace runs made single spaces), cut to `limit` characters with `…`."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
