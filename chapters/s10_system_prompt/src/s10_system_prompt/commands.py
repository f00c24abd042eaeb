"""`/prompt`: the sections of the system prompt with their sizes, and where the cache breakpoints are.

    /prompt              the table, the CLAUDE.md files read, the cache share of this session
    /prompt claude_md    one section's text, exactly as the model gets it
"""

from __future__ import annotations

import json

from rich.console import Group
from rich.table import Table
from rich.text import Text

from s06_context_compact.tokens import estimate_tokens

from .claude_md import shown_path
from .prompt import SystemPrompt
from .sections import is_static


def show_prompt(system_prompt: SystemPrompt, agent, argument: str, console) -> None:
    request = agent.draft()  # subtle: built by the same code as the next request, so it is what is sent
    sections = request.sections
    chosen = next((section for section in sections if section.name == argument), None)
    if not argument:
        console.print(prompt_table(agent, system_prompt, request))
    elif chosen is None:
        console.print(f"[red]no section {argument!r}[/]; the sections are: {', '.join(s.name for s in sections)}")
    else:
        part = "static" if is_static(chosen) else "dynamic"
        size = f"{len(chosen.text):,} characters, ~{estimate_tokens(chosen.text):,} tokens"
        console.print(Text.assemble((f"── {chosen.name} ", "bold"), (f"({part}, {size})", "dim")))
        console.print(Text(chosen.text), highlight=False)


def prompt_table(agent, system_prompt: SystemPrompt, request) -> Group:
    """The sections in request order, the tool definitions first (they open the cached prefix)."""
    sections = request.sections
    table = Table(box=None, padding=(0, 2))
    for column, justify in (("section", "left"), ("part", "left"), ("characters", "right"),
                            ("~tokens", "right"), ("breakpoint", "left")):
        table.add_column(column, justify=justify)
    tools = request.tools
    table.add_row(f"({len(tools)} tools)", "static", f"{len(json.dumps(tools)):,}",
                  f"{estimate_tokens(tools):,}", "", style="dim")
    n_static = sum(map(is_static, sections))
    for i, section in enumerate(sections):
        part = Text("static", style="cyan") if is_static(section) else Text("dynamic", style="green")
        where = "static end" if i == n_static - 1 else "system end" if i == len(sections) - 1 else ""
        mark = f"◆ {where}" if section.cache else ""
        table.add_row(section.name, part, f"{len(section.text):,}", f"{estimate_tokens(section.text):,}",
                      Text(mark, style="magenta"))
    total = sum(len(s.text) for s in sections)
    lines = [Text.assemble(("system prompt: ", "bold"), f"{len(sections)} sections, {total:,} characters, "
                           f"~{sum(estimate_tokens(s.text) for s in sections):,} tokens"), table]
    sent = ", ".join(system_prompt.breakpoints) or "none"
    lines.append(Text(f"and ◆ on the last message of each request (on a copy) · this request's: {sent}", style="dim"))
    lines += chain_lines(agent, system_prompt)
    usage = system_prompt.usage
    if usage["requests"]:
        share = usage["cache_read"] / usage["input"] if usage["input"] else 0.0
        lines.append(Text.assemble(("prompt cache: ", "bold"), f"{usage['requests']} request{'s' * (usage['requests'] != 1)} this session, "
                                   f"{usage['input']:,} input tokens, {usage['cache_read']:,} read from the cache ",
                                   (f"({share:.0%})", "bold green")))
    return Group(*lines)


def chain_lines(agent, system_prompt: SystemPrompt) -> list[Text]:
    """The CLAUDE.md files in prompt order (imports indented), and the warnings, as of SessionStart."""
    chain = system_prompt.snapshot.claude_md
    if not chain.files:
        return [Text("CLAUDE.md: none found (~/.claude/CLAUDE.md, CLAUDE.md and .claude/CLAUDE.md from the "
                     "project root down, CLAUDE.local.md)", style="dim")]
    lines = [Text("CLAUDE.md files, read at the start of the session:", style="bold")]
    for file in chain.files:
        where = shown_path(file.path, agent.workdir)
        via = f", imported by {shown_path(file.imported_by, agent.workdir)}" if file.imported_by else ""
        lines.append(Text.assemble(("    " if file.imported_by else "  ") + where, (f"  {file.kind}{via}", "dim")))
    lines += [Text(f"  warning: {warning}", style="yellow") for warning in chain.warnings]
    return lines
