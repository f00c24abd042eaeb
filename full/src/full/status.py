"""The status line under the prompt: the session in one line, redrawn every second while the
user types (s01's `Chapter.status_line` point; the REPL hands it to prompt_toolkit).

    claude-sonnet-5-5 · default · context 23% (34.5k/150k) · cache 94% · 45.1k tok $0.0321 · 2 jobs running

Each part comes from public methods of one capability, and shows only when it is plugged in:
    model, permission mode   the agent's config (what the next request uses)
    context                  s06 `Compactor.context_use`: the next request against the budget
    cache, tokens, cost      full's `Meter` (meter.py); the cache-read share is that of the requests after
                             the session's first (which has nothing cached to read), so it shows from the second
    jobs                     s13 `BackgroundJobs.running`
    teammates                s15 `TeamLead.at_work`
It fits the terminal's width: past it, parts are shortened and then dropped, least important first.
It is cheap (memory only; s15's process teammates, one small file each, at most every
`TEAM_EVERY` seconds) and never raises: a part that fails shows as `?`.
"""

from __future__ import annotations

import shutil
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from s06_context_compact.compaction import Compactor
from s13_background_tasks.background import BackgroundJobs
from s15_agent_teams.lead import TeamLead

from .meter import Meter

SEPARATOR = " · "
TEAM_EVERY = 2.0
"""Seconds the teammates part is reused before it is asked again (process teammates read a file)."""
MODES = {"default": "default", "acceptEdits": "edits", "plan": "plan", "bypassPermissions": "bypass"}


@dataclass
class Part:
    long: str
    short: str
    rank: int
    """How much it matters: the lowest rank is shortened first, then dropped first."""


def status_line(agent, width: int | None = None, clock: Callable[[], float] = time.monotonic) -> str:
    """The line for `agent`, at most `width` columns (default: the terminal's)."""
    width = width or terminal_width()
    parts = [part for make in PARTS if (part := guarded(make, agent, clock)) is not None]
    return fit(parts, width - 1)  # subtle: one column for the leading space


def fit(parts: list[Part], width: int) -> str:
    """The parts in order, joined, in `width` columns after a leading space: the others shortened,
    lowest rank first, then dropped; the most important one shortened only when it stands alone."""
    chosen: list[str | None] = [part.long for part in parts]
    order = sorted(range(len(parts)), key=lambda i: parts[i].rank)
    others, top = order[:-1], order[-1:]
    steps = [(i, parts[i].short) for i in others] + [(i, None) for i in others] + [(i, parts[i].short) for i in top]

    def line() -> str:
        return SEPARATOR.join(text for text in chosen if text)

    for i, text in steps:
        if len(line()) <= width:
            break
        chosen[i] = text
    text = line()
    return " " + (text if len(text) <= width else text[: max(0, width - 1)] + "…")


def guarded(make, agent, clock) -> Part | None:
    try:
        return make(agent, clock)
    except Exception as error:  # a status line must never break the prompt
        name = make.__name__.removesuffix("_part")
        return Part(f"{name} ? ({type(error).__name__})", f"{name} ?", 0)


def terminal_width() -> int:
    """The width prompt_toolkit draws in while it runs, else the terminal's."""
    from prompt_toolkit.application import get_app_or_none

    app = get_app_or_none()
    if app is not None and app.is_running:
        return app.output.get_size().columns
    return shutil.get_terminal_size().columns


# --- the parts, in the order they appear ------------------------------------------------------


def model_part(agent, clock) -> Part:
    model = agent.config.model
    return Part(model, model if len(model) <= 20 else model[:19] + "…", 100)


def mode_part(agent, clock) -> Part | None:
    mode = getattr(agent.config, "permission_mode", None)
    return Part(mode, MODES.get(mode, mode), 90) if mode else None


def context_part(agent, clock) -> Part | None:
    compactor = Compactor.of(agent)
    use = compactor.context_use(agent) if compactor else None
    if use is None:
        return None
    tokens, budget = use
    if not budget:
        return Part(f"context {count(tokens)}", f"ctx {count(tokens)}", 80)
    share = f"{100 * tokens / budget:.0f}%"
    return Part(f"context {share} ({count(tokens)}/{count(budget)})", f"ctx {share}", 80)


def cache_part(agent, clock) -> Part | None:
    meter = Meter.of(agent)
    share = meter.cache_read_share(after_first=True) if meter else None
    return None if share is None else Part(f"cache {100 * share:.0f}%", f"cache {100 * share:.0f}%", 50)


def cost_part(agent, clock) -> Part | None:
    meter = Meter.of(agent)
    if meter is None or not meter.requests:
        return None
    tokens, cost = count(sum(meter.usage.values())), meter.cost_usd
    if cost is None:
        return Part(f"{tokens} tok, cost unknown", f"{tokens} tok", 70)
    return Part(f"{tokens} tok {dollars(cost)}", dollars(cost, short=True), 70)


def jobs_part(agent, clock) -> Part | None:
    jobs = BackgroundJobs.of(agent)
    running = len(jobs.running()) if jobs else 0
    if not running:
        return None
    return Part(f"{running} job{'s' * (running != 1)} running", f"{running} bg job{'s' * (running != 1)}", 60)


TEAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # TeamLead -> (when asked, teammates at work)


def team_part(agent, clock) -> Part | None:
    lead = TeamLead.of(agent)
    if lead is None or lead.team is None:
        return None
    asked, working = TEAMS.get(lead, (None, 0))
    if asked is None or clock() - asked >= TEAM_EVERY:
        working = len(lead.at_work())
        TEAMS[lead] = (clock(), working)
    if not working:
        return None
    return Part(f"{working} teammate{'s' * (working != 1)} at work", f"{working} at work", 60)


PARTS = (model_part, mode_part, context_part, cache_part, cost_part, jobs_part, team_part)


# ---------------------------------------------------------------------------------------------


def count(tokens: int) -> str:
    """`950`, `34.5k`, `1.2M`."""
    if tokens < 1000:
        return str(tokens)
    if tokens < 999_950:
        return f"{tokens / 1000:.1f}k".replace(".0k", "k")
    return f"{tokens / 1_000_000:.1f}M".replace(".0M", "M")


def dollars(cost: float, short: bool = False) -> str:
    """`$0.0321` (short: `$0.03`, `<$0.01`), `$1.25`."""
    if cost >= 1 or (short and cost >= 0.01):
        return f"${cost:.2f}"
    return "<$0.01" if short else f"${cost:.4f}"
