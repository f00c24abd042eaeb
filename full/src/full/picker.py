"""The session picker of `--resume` and `/resume` with no id: this folder's sessions, newest first,
numbered, and the number the user types (rich's console; Ctrl-D or an empty line picks none).

     #  when              turns  first prompt                                   id
     1  today 14:02           3  fix the failing test in wordstats              3f2a1b0c
     2  yesterday 09:15       1  what does this project do?                     a81c09de
"""

from __future__ import annotations

import time

from rich.table import Table
from rich.text import Text

from s13_background_tasks.display import one_line

from .session_store import Summary

SHOWN = 20  # sessions listed at most


def when(modified: float, now: float | None = None) -> str:
    """`today 14:02`, `yesterday 09:15`, else `2026-11-20 17:40` (local time)."""
    now = time.time() if now is None else now
    day, today = time.localtime(modified), time.localtime(now)
    days = (time.mktime(today[:3] + (0, 0, 0, 0, 0, -1)) - time.mktime(day[:3] + (0, 0, 0, 0, 0, -1))) / 86400
    clock = time.strftime("%H:%M", day)
    if round(days) == 0:
        return f"today {clock}"
    if round(days) == 1:
        return f"yesterday {clock}"
    return time.strftime("%Y-%m-%d %H:%M", day)


def listing(sessions: list[Summary], now: float | None = None) -> Table:
    """The sessions as a numbered table, newest first (as given)."""
    table = Table(box=None, padding=(0, 2), show_edge=False)
    for name, justify in (("#", "right"), ("when", "left"), ("turns", "right"), ("first prompt", "left"),
                          ("id", "left")):
        table.add_column(name, justify=justify, style="dim" if name in ("#", "id") else None)
    for number, session in enumerate(sessions[:SHOWN], 1):
        table.add_row(str(number), when(session.modified, now), str(session.turns),
                      Text(one_line(session.first_prompt, 60)), session.id[:8])
    return table


def choose(sessions: list[Summary], console, stream=None) -> Summary | None:
    """Show the sessions and read a number; None when the user picks none."""
    console.print(listing(sessions))
    n = min(len(sessions), SHOWN)
    while True:
        try:
            raw = console.input(f"[bold]resume which session? 1-{n} (Enter: none) › [/]", stream=stream).strip()
        except (EOFError, KeyboardInterrupt):
            return None
        if not raw:
            return None
        if raw.isdigit() and 1 <= int(raw) <= n:
            return sessions[int(raw) - 1]
        console.print(f"[yellow]type a number from 1 to {n}[/]")
