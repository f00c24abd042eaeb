"""Slash commands of full's own parts: `/model` (`FullCommands`) and `/cost` (the `Meter`'s)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension
from s15_agent_teams.lead import TeamLead

from .meter import KINDS, Meter, read_share
from .prices import PRICES, Price, price_of
from .status import count, dollars

HEADINGS = {"input": "input", "cache_write": "cache write", "cache_read": "cache read", "output": "output"}


class FullCommands(Extension):
    def commands(self) -> dict[str, SlashCommand]:
        return {"model": SlashCommand("the model and the known ones; /model ID switches to ID for the next "
                                      "requests", switch_model)}


# --- /model ---------------------------------------------------------------------------------


def switch_model(agent, argument: str, console) -> None:
    """`/model`: the current model and the priced ones; `/model ID`: use ID from the next request on.

    subtle: the next request reads the model from `agent.config` (s02's `draft`), and so do a
    subagent (s04 `spawn`, unless its agent type names a model) and a teammate (s15) when they start:
    those started after the switch use the new model; running teammates keep theirs."""
    current = agent.config.model
    if not argument:
        console.print(Text.assemble(("model: ", "bold"), current, f" ({describe(price_of(current))})"))
        table = Table(box=None, padding=(0, 2), title="known prices, $ per million tokens (prices.py)",
                      title_justify="left", title_style="dim")
        for heading in ("model id (prefix)", "input", "output", "cache write", "cache read"):
            table.add_column(heading, justify="left" if heading.startswith("model") else "right")
        for prefix, price in PRICES.items():
            table.add_row(prefix, *(money(value) for value in (price.input, price.output, price.cache_write,
                                                              price.cache_read)))
        console.print(table)
        console.print("[dim]/model ID switches. Any id your endpoint accepts works (ANTHROPIC_BASE_URL); one "
                      "with no price here has its tokens counted and its cost shown as unknown.[/]")
        return
    if len(argument.split()) != 1:
        console.print(f"[red]not a model id: {argument!r}[/] (one word, e.g. claude-sonnet-5-5)")
        return
    if argument == current:
        console.print(f"[dim]the model is {current} already[/]")
        return
    agent.config.model = argument
    console.print(Text.assemble(("model: ", "bold"), argument, f" (was {current}) from the next request on; ",
                                describe(price_of(argument))))
    console.print(Text("The prompt cache is kept per model: the next request writes the cached prefix again (cache "
                       "writes cost 1.25x input), later ones read it. Subagents and teammates started from now on "
                       "use this model (an agent type that names one keeps it); running teammates keep theirs.",
                       style="dim"))


def describe(price: Price | None) -> str:
    if price is None:
        return "no known price: its tokens are counted, its cost is unknown"
    return (f"${money(price.input)} input, ${money(price.output)} output per million tokens; cache writes "
            f"${money(price.cache_write)}, reads ${money(price.cache_read)}")


def money(value: float) -> str:
    """`2`, `2.50`, `0.125`: dollars as the price list writes them."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.2f}" if abs(value - round(value, 2)) < 1e-9 else f"{value:.3f}"


# --- /cost ----------------------------------------------------------------------------------


def show_cost(agent, argument: str, console) -> None:
    """`/cost`: this session's tokens by kind and by model, the cache-read share, the cost, the
    requests and the time spent waiting for the API; teammates apart, outside the total."""
    meter = Meter.of(agent)
    if meter is None or not meter.requests:
        console.print("[dim]no model requests in this session yet[/]")
        return
    table = Table(box=None, padding=(0, 1))
    table.add_column("model", no_wrap=True)
    for heading in ("requests", *HEADINGS.values(), "cost"):
        table.add_column(heading, justify="right", no_wrap=True)
    for model, part in meter.models.items():
        table.add_row(model, str(part.requests), *(f"{part.usage[kind]:,}" for kind in HEADINGS),
                      "unknown" if part.cost_usd is None else dollars(part.cost_usd))
    if len(meter.models) > 1:
        table.add_row("total", str(meter.requests), *(f"{meter.usage[kind]:,}" for kind in HEADINGS),
                      total_cost(meter), style="bold")
    console.print(Text.assemble(("session: ", "bold"), f"{count(sum(meter.usage.values()))} tokens, ",
                                total_cost(meter), f", {meter.requests} request{'s' * (meter.requests != 1)}, "
                                f"API time {meter.api_seconds:.1f} s"))
    console.print(table)
    share, later = meter.cache_read_share(), meter.cache_read_share(after_first=True)
    after = f" ({100 * later:.0f}% after the first request)" if later is not None else ""
    if share is not None:
        console.print(f"cache reads: {100 * share:.0f}% of prompt tokens{after}")
    show_teammates(agent, console)
    console.print("[dim]prices: prices.py, from Anthropic's published list (they change); a compaction's "
                  "summary request is counted, its time is not in the API time[/]")


def total_cost(meter: Meter) -> str:
    """The session's cost; with an unpriced model, what the priced ones cost and which are missing."""
    if meter.cost_usd is not None:
        return dollars(meter.cost_usd)
    known = sum(part.cost_usd for part in meter.models.values() if part.cost_usd is not None)
    unknown = ", ".join(model for model, part in meter.models.items() if part.cost_usd is None)
    return f"cost unknown ({unknown} has no known price)" if not known else \
        f"{dollars(known)} plus unknown ({unknown} has no known price)"


def show_teammates(agent, console) -> None:
    """Teammates (s15) are agents of their own: a thread's own meter, else the token total s15 keeps
    in its state file (a process's; no split by kind, so no cost)."""
    lead = TeamLead.of(agent)
    if lead is None or lead.team is None or not lead.teammates:
        return
    console.print("teammates (their own agents, not in the total above):")
    for name, handle in lead.teammates.items():
        theirs = Meter.of(getattr(handle, "agent", None))
        if theirs is not None:
            share = read_share(theirs.usage)
            cache = f", cache reads {100 * share:.0f}%" if share is not None else ""
            cost = "cost unknown" if theirs.cost_usd is None else dollars(theirs.cost_usd)
            requests = f"{theirs.requests} request{'s' * (theirs.requests != 1)}"
            line = f"{sum(theirs.usage[kind] for kind in KINDS):,} tokens in {requests}{cache}, {cost}"
        else:
            tokens = lead.team.state(name).get("tokens", 0)
            line = f"{tokens:,} tokens (a process: only its total is shared, so no cost)"
        console.print(Text.assemble("  ", (name, "bold"), "  ", line))
