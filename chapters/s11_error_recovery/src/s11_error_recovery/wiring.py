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


def build(session: Session):
    agent = build_previous(session)
    # outermost, so a retried request passes through every other extension's wrapper again, and a cut
    # tool call is refused before hooks or permissions look at it: Recovery, then Continuation
    agent.use(Continuation(), outermost=True)
    fallback = getattr(session.args, "fallback_model", None)
    agent.use(Recovery(RecoveryConfig(fallback_model=fallback)), outermost=True)
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fallback-model", metavar="ID",
                        help="switch to this model after repeated overloads (529), for the rest of the session")


CHAPTER = PREVIOUS.extend(
    name="s11_error_recovery", title="error recovery", build=build, here=__file__, add_arguments=add_arguments,
    # s06's small demo budget is for s06's demo; the fallback model lets the demo show the switch
    demo_args={"context_budget": CompactionConfig().budget, "fallback_model": "scripted-fallback"},
    # subtle: s11 owns retrying. The SDK's own quiet retries would not count toward our limit and
    # would multiply it, so they are off
    model_retries=0,
)
