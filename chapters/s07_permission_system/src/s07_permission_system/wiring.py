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
from .permissions import MODES, Permissions, starting_mode


def build(session: Session):
    agent = build_previous(session)
    console = getattr(session.view, "console", None)
    ask = ConsoleAsk(console) if session.interactive and console is not None else None  # no terminal: ask = deny
    # the settings are read and checked now: a broken file stops here, before any tool runs
    gate = Permissions(ask=ask, ignore_broken=getattr(session.args, "ignore_broken_settings", False))
    gate.load(agent)
    agent.config.permission_mode = starting_mode(getattr(session.args, "permission_mode", None), session.workdir,
                                                 ask.confirm if ask else None, session.view.notice)
    # after the Compactor: post_tool_use runs innermost first, so denied files leave a result
    # before a spill saves it (and before s08's PostToolUse hooks see it)
    agent.use(gate)
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--permission-mode", choices=MODES, metavar="MODE",
                        help=f"how tool calls are approved: {', '.join(MODES)} (default: default, or "
                             "permissions.defaultMode in the settings)")
    parser.add_argument("--ignore-broken-settings", action="store_true",
                        help="skip a settings file that cannot be understood (with a warning) instead of stopping")


CHAPTER = PREVIOUS.extend(
    name="s07_permission_system",
    title="permission system",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
    add_arguments=add_arguments,
)
