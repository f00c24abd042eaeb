"""Chapter 7's agent in one screen: chapter 6's agent plus `Permissions` (modes, settings.json
rules, the ask), `--permission-mode`, `/mode` and `/permissions`. The demo lays the project's
rules over the sample project (`demo_overlay/.claude/settings.json`) and a file they protect."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session, SlashCommand
from s06_context_compact.wiring import CHAPTER as PREVIOUS
from s06_context_compact.wiring import build as build_previous

from .ask import ConsoleAsk
from .commands import set_mode, show_permissions
from .permissions import MODES, Permissions, default_mode


def build(session: Session):
    agent = build_previous(session)
    mode = getattr(session.args, "permission_mode", None) or default_mode(session.workdir)
    console = getattr(session.view, "console", None)
    ask = ConsoleAsk(console) if session.interactive and console is not None else None  # no terminal: ask = deny
    agent.use(Permissions(mode=mode, ask=ask))
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
    commands={
        "mode": SlashCommand("show the permission mode; /mode MODE switches (default, acceptEdits, plan, "
                             "bypassPermissions)", set_mode),
        "permissions": SlashCommand("the permission rules in force and where each comes from", show_permissions),
    },
    overlays=(Path(__file__).with_name("demo_overlay"),),
    add_arguments=add_arguments,
)
