"""The harness's own slash commands: `/extensions` (a map of the harness) and `/clear`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from .extension import POINTS, points_of


def show_extensions(agent, argument: str, console) -> None:
    """`/extensions`: for each point, in the order a turn meets it, the extensions that plug into
    it, in the order they run (the first one's `wrap_model_call` is the outermost, and
    `post_tool_use` runs from the innermost out)."""
    table = Table(box=None, padding=(0, 2))
    table.add_column("point", style="bold")
    table.add_column("extensions, in the order they run")
    for point in POINTS:
        names = [type(extension).__name__ for extension in agent.extensions if point in points_of(extension)]
        if point == "post_tool_use":
            names.reverse()  # on the way back out: the innermost extension sees the result first
        table.add_row(point, Text(" → ".join(names) or "-", style="" if names else "dim"))
    console.print(table)
    tools = {type(extension).__name__: [tool.name for tool in extension.tools()] for extension in agent.extensions}
    added = ", ".join(f"{name}: {', '.join(names)}" for name, names in tools.items() if names)
    console.print(Text(f"order plugged in: {', '.join(type(e).__name__ for e in agent.extensions) or '(none)'}", style="dim"))
    if added:
        console.print(Text(f"tools they add: {added}", style="dim"))


def clear_conversation(agent, argument: str, console) -> None:
    """`/clear`: a new conversation in the same process (`Harness.new_session`)."""
    agent.new_session()
    console.print("[dim]new conversation: the history is empty; each extension has reset its session state[/]")
