"""Chapter 6's agent in one screen: chapter 5's agent plus the `Compactor` (spill, clearing,
summary compaction, the `compact` tool), the `/context` and `/compact` commands and the
`--context-budget` option. The demo runs with a small budget so that a few big outputs fill it."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from s01_agent_loop.cli import Session, SlashCommand
from s05_skill_loading.wiring import CHAPTER as PREVIOUS
from s05_skill_loading.wiring import build as build_previous

from .commands import compact_now, show_context
from .compaction import CompactionConfig, Compactor

DEMO_BUDGET = 14_000


def build(session: Session):
    agent = build_previous(session)
    agent.use(Compactor(CompactionConfig(budget=context_budget(session.args))))
    return agent


def context_budget(args: argparse.Namespace) -> int:
    """`--context-budget`, else the demo's small budget under `--demo`, else the default."""
    budget = getattr(args, "context_budget", None)
    if budget is None:
        budget = DEMO_BUDGET if getattr(args, "demo", False) else CompactionConfig().budget
    return budget


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--context-budget", type=tokens, metavar="TOKENS",
                        help=f"the context budget in tokens (default {CompactionConfig().budget:,}, "
                             f"{DEMO_BUDGET:,} with --demo; 0: no automatic compaction)")


def tokens(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no automatic compaction) or a positive number of tokens")
    return value


CHAPTER = replace(
    PREVIOUS.extend(
        name="s06_context_compact",
        title="context compaction",
        build=build,
        here=__file__,
        commands={
            "context": SlashCommand("how full the context is: system, tools, messages, tool results, free", show_context),
            "compact": SlashCommand("summarise the conversation now; /compact FOCUS says what to keep", compact_now),
        },
        add_arguments=add_arguments,
    ),
    overlays=(Path(__file__).with_name("demo_overlay"),),  # only its own: its thresholds depend on sizes
)
