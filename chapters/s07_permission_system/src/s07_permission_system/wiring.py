"""Chapter 7's agent in one screen: chapter 6's agent plus `Permissions` (modes, settings.json
rules, the ask) and `--permission-mode`."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session
from s06_context_compact.wiring import CHAPTER as PREVIOUS
from s06_context_compact.wiring import build as build_previous

from .permissions import MODES, Permissions


def build(session: Session):
    agent = build_previous(session)
    agent.use(Permissions(mode=getattr(session.args, "permission_mode", None) or "default"))
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--permission-mode", choices=MODES, metavar="MODE",
                        help=f"how tool calls are approved: {', '.join(MODES)} (default: default)")


CHAPTER = PREVIOUS.extend(
    name="s07_permission_system",
    title="permission system",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
    add_arguments=add_arguments,
)
