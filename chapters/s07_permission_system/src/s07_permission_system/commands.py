"""The chapter's slash commands: `/mode [MODE]` and `/permissions`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from .permissions import MODES, Permissions

MODE_NOTES = {
    "default": "asks before edits and shell commands that no rule allows",
    "acceptEdits": "edits allowed; shell commands still asked",
    "plan": "read-only: edits and shell commands refused",
    "bypassPermissions": "everything allowed except what deny rules refuse",
}


def set_mode(permissions: Permissions, agent, argument: str, console) -> None:
    """`/mode` shows the permission mode and the others; `/mode plan` switches to plan."""
    if argument and argument not in MODES:
        console.print(f"[red]unknown mode {argument!r}[/]; choose one of {', '.join(MODES)}")
        return
    if argument:
        agent.config.permission_mode = argument
        console.print(Text.assemble(("mode: ", "bold"), (argument, "bold cyan"), f" ({MODE_NOTES[argument]})"))
        return
    for mode in MODES:
        mark = "●" if mode == agent.config.permission_mode else " "
        console.print(Text.assemble(f"{mark} ", (f"{mode:<18}", "bold cyan" if mark == "●" else ""),
                                    (MODE_NOTES[mode], "dim")))
    console.print("[dim]/mode MODE switches[/]")


def show_permissions(permissions: Permissions, agent, argument: str, console) -> None:
    """`/permissions`: the mode, and every rule in force with where it came from."""
    rules = permissions.load(agent)
    mode = agent.config.permission_mode
    console.print(Text.assemble(("mode: ", "bold"), (mode, "bold cyan"), f" ({MODE_NOTES[mode]})"))
    if rules:
        table = Table(box=None, padding=(0, 2))
        for column in ("", "rule", "from"):
            table.add_column(column)
        style = {"deny": "red", "ask": "yellow", "allow": "green"}
        for behavior in ("deny", "ask", "allow"):  # the order they are checked in
            for rule in (r for r in rules if r.behavior == behavior):
                table.add_row(Text(behavior, style=style[behavior]), str(rule), Text(rule.source, style="dim"))
        console.print(table)
    else:
        console.print("[dim]no rules: edits and shell commands are asked about (see .claude/settings.json)[/]")
    for problem in permissions.problems:
        console.print(Text(f"skipped {problem}", style="yellow"))
