"""`/memory`: what is remembered, and what this session's prompt holds of it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from s02_tool_use.paths import display_path

from .index import short_description
from .memory import Memory
from .store import INDEX_FILE, memory_dir, scan


def show_memory(memory: Memory, agent, argument: str, console) -> None:
    """`/memory`: every memory file as it is now, and whether this session's prompt has it."""
    found = scan(agent.workdir)  # subtle: a fresh look at the files; the session's snapshot stays
    folder = display_path(agent.workdir, memory_dir(agent.workdir))
    if not found.memories and not found.unusable:  # (an unusable folder: the warning below says why)
        console.print(f"[dim]no memories yet ({folder}/ holds none)[/]")
    elif found.memories:
        in_prompt = set(memory.snapshot.shown) if memory.snapshot else set()
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for column in ("name", "type", "description", "file", "in prompt"):
            table.add_column(column, no_wrap=column != "description", style="bold" if column == "name" else None)
        for name, stored in found.memories.items():
            seen = Text("yes", style="green") if name in in_prompt else Text("next session", style="yellow")
            table.add_row(name, stored.meta.type, short_description(stored), stored.file.name, seen)
        console.print(table)
        console.print(f"[dim]files in {folder}/, index {INDEX_FILE}; the system prompt holds the index as it "
                      "was when this session started[/]")
    memory.problems, memory.unusable = found.problems, found.unusable
    for line in memory.warnings(agent.workdir):
        console.print(Text(line, style="yellow"))
