"""`/requests`: every request of the team, who asked whom, its status, and what the answer said.

    requests of team wordstats
     request         from   to     status      at        says
     plan-1@alice    alice  lead   ✔ approved  14:02:13  Approved: go ahead.
     plan-1@bob      bob    lead   ✗ rejected  14:02:13  Keep the test in tests/test_stats.py…
     shutdown-1@bob  lead   bob    ◷ pending   ≤14:07:15 The work is done.
"""

from __future__ import annotations

import time

from rich.console import Group
from rich.table import Table
from rich.text import Text

from s13_background_tasks.display import one_line

from .requests import Request

MARKS = {"pending": ("◷", "yellow"), "approved": ("✔", "green"), "rejected": ("✗", "red"),
         "expired": ("⌛", "dim")}


def requests_table(team: str, requests: list[Request], width: int = 80) -> Group:
    """The table, for a console `width` columns wide."""
    if not requests:
        return Group(Text(f"requests of team {team}: none yet", style="bold"))
    rows = [row(request) for request in requests]
    table = Table(box=None, padding=(0, 1), header_style="bold")
    headers = ("request", "from", "to", "status", "at")
    for header in headers:
        table.add_column(header, no_wrap=True)
    # subtle: rich drops whole columns, not letters, when a row is too wide: "says" gets what is left
    used = sum(max(len(header), *(len(str(cells[i])) for cells in rows)) + 2 for i, header in enumerate(headers))
    table.add_column("says", overflow="ellipsis", no_wrap=True, max_width=max(8, width - used - 2))
    for cells in rows:
        table.add_row(*cells)
    return Group(Text(f"requests of team {team}", style="bold"), table)


def row(request: Request) -> tuple:
    mark, colour = MARKS.get(request.status, ("?", "red"))
    # a pending request shows its deadline; an answered one, when it was answered, and the answer
    at = f"≤{clock(request.deadline)}" if request.status == "pending" else clock(request.answered or request.deadline)
    says = request.answer if request.status in ("approved", "rejected") and request.answer else request.content
    return (request.id, request.sender, request.to, Text(f"{mark} {request.status}", style=colour), at,
            one_line(says or "—"))


def clock(seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds))
