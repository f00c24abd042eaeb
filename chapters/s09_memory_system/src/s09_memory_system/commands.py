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
    if found.memories:
        in_prompt = set(memory.snapshot.shown) if memory.snapshot else set()
        narrow = console.width < 110  # a narrow terminal: two lines a memory, the description whole
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for column in ("name", "type", "description", "file", "in prompt"):
            table.add_column(column, no_wrap=column != "description", style="bold" if column == "name" else None)
        for name, stored in found.memories.items():
            seen = Text("yes", style="green") if name in in_prompt else Text("next session", style="yellow")
            if narrow:
                console.print(Text.assemble((name, "bold"), f"  {stored.meta.type} · {stored.file.name} · in prompt: ",
                                            seen))
                console.print(Text("  " + short_description(stored), style="dim"))
            else:
                table.add_row(name, stored.meta.type, short_description(stored), stored.file.name, seen)
        if not narrow:
            console.print(table)
        console.print(f"[dim]files in {folder}/, index {INDEX_FILE}; the system prompt holds the index as it "
                      "was when this session started[/]")
    memory.problems, memory.unusable = found.problems, found.unusable
    for line in memory.warnings(agent.workdir):
        console.print(Text(line, style="yellow"))
