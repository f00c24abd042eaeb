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

from s15_agent_teams.member import one_line

from .requests import Request

MARKS = {"pending": ("◷", "yellow"), "approved": ("✔", "green"), "rejected": ("✗", "red"),
         "expired": ("⌛", "dim")}


def requests_table(team: str, requests: list[Request]) -> Group:
    table = Table(box=None, padding=(0, 1), header_style="bold")

    def widest(header: str, values) -> int:  # subtle: else rich narrows every column to fit "says"
        return max([len(header), *map(len, values)])

    table.add_column("request", no_wrap=True, min_width=widest("request", (r.id for r in requests)))
    table.add_column("from", no_wrap=True, min_width=widest("from", (r.sender for r in requests)))
    table.add_column("to", no_wrap=True, min_width=widest("to", (r.to for r in requests)))
    table.add_column("status", no_wrap=True, min_width=10)
    table.add_column("at", no_wrap=True, min_width=9)
    table.add_column("says", overflow="ellipsis", no_wrap=True, ratio=1)
    for request in requests:
        mark, colour = MARKS.get(request.status, ("?", "red"))
        # a pending request shows its deadline; an answered one, when it was answered, and the answer
        at = f"≤{clock(request.deadline)}" if request.status == "pending" else clock(request.answered or request.deadline)
        says = request.answer if request.status in ("approved", "rejected") and request.answer else request.content
        table.add_row(request.id, request.sender, request.to, Text(f"{mark} {request.status}", style=colour), at,
                      one_line(says or "—"))
    if not requests:
        return Group(Text(f"requests of team {team}: none yet", style="bold"))
    return Group(Text(f"requests of team {team}", style="bold"), table)


def clock(seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds))
