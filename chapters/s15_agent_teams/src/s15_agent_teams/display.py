"""How a team is shown: each teammate's run under its name on the lead's console, and `/team`.

    alice  ● TaskUpdate  taskId="1" status="in_progress"
           Updated task #1: status in_progress.
    bob    ● write_file  path="tests/test_even.py" content="import unittest…"

Several teammates print at once, between the lead's own lines: so a teammate's view draws no
spinner and no live Markdown (rich runs one live display at a time), only whole lines, each block
under its name.
"""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from s01_agent_loop.cli.console import ConsoleView
from s12_task_system.tasks import Task

from .team import LEAD, Team

COLOURS = ("green", "yellow", "blue", "cyan", "magenta", "red")
MARKS = {"working": ("◷", "yellow"), "idle": ("○", "green"), "stopped": ("■", "dim")}


def colour_of(name: str) -> str:
    return COLOURS[sum(map(ord, name)) % len(COLOURS)]


class TeammateView(ConsoleView):
    """A `ConsoleView` whose every block is drawn under the teammate's name, without live parts."""

    def __init__(self, console, name: str, indent: int = 0, verbose: bool = False):
        super().__init__(console, quiet=True, indent=indent, verbose=verbose)
        self.name = name

    def model_start(self) -> None:
        self.buffer = ""

    def model_text(self, delta: str) -> None:
        self.buffer += delta

    def model_end(self, reply) -> None:
        if self.buffer.strip():
            self.console.print(self.pad(Text(self.buffer.strip())))
        self.buffer = ""  # shown: the call lines that follow must not show it again (s01's flush_text)

    def tool_running(self, name: str) -> None:
        pass

    def stop(self) -> None:
        pass

    def nested(self) -> TeammateView:
        return TeammateView(self.console, self.name, self.indent + 1, self.verbose)

    def log(self, text, style: str = "", extra: int = 0) -> None:
        text = text if isinstance(text, Text) else Text(text, style=style)
        text.expand_tabs()
        self.console.print(self.pad(text, extra=extra))

    def pad(self, renderable, extra: int = 0):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, min_width=6)
        grid.add_column()
        left = 4 * self.indent + extra
        grid.add_row(Text(self.name, style=f"bold {colour_of(self.name)}"),
                     Padding(renderable, (0, 0, 0, left)) if left else renderable)
        return grid


def view_for(view, name: str):
    """The view of a teammate of the lead whose view is `view`: on a console, its own name column;
    elsewhere (a test's `RecordingView`), the view's `nested()` one."""
    if isinstance(view, ConsoleView):
        return TeammateView(view.console, name, verbose=view.verbose)
    return view.nested()


def team_table(team: Team, tasks: dict[str, Task], lead_tokens: int) -> Group:
    """`/team`: every member, what it is doing, the task it owns on the board, tokens used."""
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("member", no_wrap=True)
    table.add_column("role", overflow="ellipsis", no_wrap=True, max_width=16)
    table.add_column("status", no_wrap=True)
    table.add_column("task", overflow="ellipsis", no_wrap=True, ratio=1)
    table.add_column("tokens", no_wrap=True, justify="right")
    for member in team.members():
        if member.name == LEAD:
            table.add_row(Text(LEAD, style="bold"), "lead", "—", "", f"{lead_tokens:,}")
            continue
        state = team.state(member.name)
        mark, colour = MARKS.get(state.get("status"), ("?", "red"))
        table.add_row(Text(member.name, style=f"bold {colour_of(member.name)}"), member.role,
                      Text(f"{mark} {state.get('status')}", style=colour), current_task(member.name, tasks),
                      f"{state.get('tokens', 0):,}")
    title = Text(f"team {team.name}" + (f": {team.description}" if team.description else ""), style="bold")
    return Group(title, table)


def current_task(name: str, tasks: dict[str, Task]) -> str:
    """The task `name` owns that is in progress, else the next one it owns that is not done."""
    owned = sorted((t for t in tasks.values() if t.owner == name and t.status != "completed"),
                   key=lambda t: (t.status != "in_progress", t.number))
    return f"#{owned[0].id} {owned[0].subject}" if owned else "—"
