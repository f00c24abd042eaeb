"""Chapter 11's agent in one screen: chapter 10's agent plus `Recovery` (retries, compaction on a
prompt too long, the fallback model) and `Continuation` (max_tokens), and `--fallback-model`."""

from __future__ import annotations

import argparse

from s01_agent_loop.cli import Session
from s06_context_compact.compaction import CompactionConfig
from s10_system_prompt.wiring import CHAPTER as PREVIOUS
from s10_system_prompt.wiring import build as build_previous

from .continuation import Continuation
from .recovery import Recovery, RecoveryConfig

DEMO_FALLBACK = "scripted-fallback"


def build(session: Session):
    if getattr(session.args, "demo", False) and getattr(session.args, "context_budget", None) is None:
        session.args.context_budget = CompactionConfig().budget  # s06's small demo budget is for s06's demo
    agent = build_previous(session)
    # subtle: s11 owns retrying. The SDK's own retries (2 by default) would be invisible, would not
    # count toward our limit and would multiply it; its client is made on first use, so this is in time
    if hasattr(session.model, "max_retries"):
        session.model.max_retries = 0
    # outermost, so a retried request passes through every other extension's wrapper again, and a cut
    # tool call is refused before hooks or permissions look at it
    first = type(agent.extensions[0])
    agent.use(Recovery(RecoveryConfig(fallback_model=fallback_model(session.args))), before=first)
    agent.use(Continuation(), before=first)
    return agent


def fallback_model(args: argparse.Namespace) -> str | None:
    """`--fallback-model`, else a scripted one under `--demo` (so the demo can show the switch)."""
    chosen = getattr(args, "fallback_model", None)
    return chosen or (DEMO_FALLBACK if getattr(args, "demo", False) else None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fallback-model", metavar="ID",
                        help="switch to this model after repeated overloads (529), for the rest of the session")


CHAPTER = PREVIOUS.extend(name="s11_error_recovery", title="error recovery", build=build, here=__file__,
                          add_arguments=add_arguments)
