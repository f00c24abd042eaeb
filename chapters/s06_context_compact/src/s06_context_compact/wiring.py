"""Chapter 6's agent in one screen: chapter 5's agent plus the `Compactor` (spill, clearing,
summary compaction, the `compact` tool, `/context`, `/compact`) and the `--context-budget`
option. The demo runs with a small budget so that a few big outputs fill it."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session
from s05_skill_loading.wiring import CHAPTER as PREVIOUS
from s05_skill_loading.wiring import build as build_previous

from .compaction import CompactionConfig, Compactor

DEMO_BUDGET = 14_000


def build(session: Session):
    agent = build_previous(session)
    agent.use(Compactor(CompactionConfig(budget=context_budget(session.args))))
    return agent


def context_budget(args: argparse.Namespace) -> int:
    """`--context-budget` (under `--demo`, the chapter's `demo_args`), else the default."""
    budget = getattr(args, "context_budget", None)
    return CompactionConfig().budget if budget is None else budget


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--context-budget", type=tokens, metavar="TOKENS",
                        help=f"the context budget in tokens (default {CompactionConfig().budget:,}, "
                             f"{DEMO_BUDGET:,} with --demo; 0: no automatic compaction)")


def tokens(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no automatic compaction) or a positive number of tokens")
    return value


CHAPTER = PREVIOUS.extend(
    name="s06_context_compact",
    title="context compaction",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
    inherit_overlays=False,  # only its own: its thresholds depend on the sizes of the files
    add_arguments=add_arguments,
    demo_args={"context_budget": DEMO_BUDGET},  # a small budget, so that a few big outputs fill it
)
