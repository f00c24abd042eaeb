"""The chapter's slash commands: `/context` (how full the context is) and `/compact [focus]`."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from s01_agent_loop.cli.repl import describe_api_error, is_api_error

from .compaction import Compactor
from .tokens import CHARS_PER_TOKEN, parts_of


def show_context(compactor: Compactor, agent, argument: str, console) -> None:
    """`/context`: a table of where the context goes, in estimated tokens and shares of the budget."""
    console.print(context_table(agent, compactor))


def context_table(agent, compactor: Compactor) -> Group:
    """The headline (the size and where it comes from), the table of parts, and the policy."""
    config = compactor.config
    parts = parts_of(agent.request())
    measured = compactor.meter.measured
    used = compactor.meter.tokens(agent) if measured else parts.total
    budget = config.budget
    scale = budget or used or 1  # with no budget, shares of what is used
    table = Table(box=None, padding=(0, 2))
    table.add_column("part")
    table.add_column("tokens", justify="right")
    table.add_column("of budget" if budget else "of used", justify="right")
    rows = [("system prompt", parts.system, ""), ("tools", parts.tools, ""), ("messages", parts.messages, ""),
            ("tool results", parts.tool_results, "")]
    if budget:
        rows += [("free", max(0, budget - used), "green"), ("budget", budget, "bold")]
    for name, tokens, style in rows:
        table.add_row(name, f"{tokens:,}", f"{100 * tokens / scale:.1f}%", style=style)
    source = "the API's count of the last request plus estimates since" if measured else "estimated"
    headline = Text.assemble(("context: ", "bold"), f"{used:,} tokens", (f" ({source})", "dim"))
    if budget:
        policy = (f"old tool results cleared past {config.clear_at:.0%} of the budget, summary past "
                  f"{config.compact_at:.0%} (clearings so far: {compactor.n_clearings}, "
                  f"compactions: {compactor.n_compactions})")
    else:
        policy = "no budget: automatic clearing and compaction are off; /compact still works"
    note = f"parts are estimates, ~{CHARS_PER_TOKEN} characters per token · {policy}"
    return Group(headline, table, Text(note, style="dim"))


def compact_now(compactor: Compactor, agent, argument: str, console) -> None:
    """`/compact [focus]`: summarise the conversation now, keeping the most recent messages."""
    try:
        compactor.compact(agent, "manual", argument or None)
    except Exception as error:
        if not is_api_error(error):
            raise
        console.print(f"[red]compaction failed, the history is unchanged:[/] {describe_api_error(error)}")
