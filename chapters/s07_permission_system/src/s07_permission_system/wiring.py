"""Chapter 7's agent in one screen: chapter 6's agent plus `Permissions` (modes, settings.json
rules, the ask, `/mode`, `/permissions`) and `--permission-mode`. The demo lays the project's
rules over the sample project (`demo_overlay/.claude/settings.json`) and a file they protect."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session
from s06_context_compact.wiring import CHAPTER as PREVIOUS
from s06_context_compact.wiring import build as build_previous

from .ask import ConsoleAsk
from .permissions import MODES, Permissions, default_mode


def build(session: Session):
    agent = build_previous(session)
    agent.config.permission_mode = getattr(session.args, "permission_mode", None) or default_mode(session.workdir)
    console = getattr(session.view, "console", None)
    ask = ConsoleAsk(console) if session.interactive and console is not None else None  # no terminal: ask = deny
    # after the Compactor: post_tool_use runs innermost first, so denied files leave a result
    # before a spill saves it (and before s08's PostToolUse hooks see it)
    agent.use(Permissions(ask=ask))
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--permission-mode", choices=MODES, metavar="MODE",
                        help=f"how tool calls are approved: {', '.join(MODES)} (default: default, or "
                             "permissions.defaultMode in the settings)")


CHAPTER = PREVIOUS.extend(
    name="s07_permission_system",
    title="permission system",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
    add_arguments=add_arguments,
)
