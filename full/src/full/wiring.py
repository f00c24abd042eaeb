"""The whole harness in one screen: chapter 20's agent (and with it every chapter before it), plus
what an agent people keep using needs:
- `Meter` (meter.py): tokens and cost of the session, per model (`/cost`, the status line);
- `Attachments` (attach.py): `@path` in a prompt attaches that file, as in Claude Code (and the
  REPL suggests paths on Tab);
- `Export` (export.py): `/export`, the conversation as Markdown;
- `FullCommands` (commands.py): `/model`, to see the models and prices and switch;
- `SessionLog` (sessions.py): the conversation saved as JSONL as it happens; `--continue`,
  `--resume [ID]` and `/resume` bring a session back, its next request byte-identical;
- the status line under the prompt (status.py) and `-q`'s output formats (headless.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session
from s05_skill_loading.wiring import CHAPTER as S05
from s08_hook_system.wiring import CHAPTER as S08
from s13_background_tasks.wiring import CHAPTER as S13
from s20_tool_refactor.wiring import CHAPTER as PREVIOUS
from s20_tool_refactor.wiring import build as build_previous

from . import headless, sessions
from .attach import Attachments, mention_completer
from .commands import FullCommands
from .export import Export
from .meter import Meter
from .sessions import SessionLog
from .status import status_line


def build(session: Session):
    headless.check_format(session)  # before anything starts: json output needs -q
    agent = build_previous(session)
    agent.use(Meter(), outermost=True)  # outermost: it sees each call's final reply, after s11's retries
    agent.use(Attachments())
    agent.use(Export())
    agent.use(FullCommands())
    agent.use(SessionLog.open(session, agent))  # last: it saves the messages as every other left them
    headless.apply_tool_rules(session, agent)  # --allowedTools / --disallowedTools
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sessions.add_arguments(parser)
    headless.add_arguments(parser)


# the demo's project: the sample project with s19's server (inherited), s04's agent, s05's skills, s08's hook
# scripts and s13's slow test (each chapter's own overlay is the last of its list), then full's settings
DEMO_OVERLAYS = (*S05.overlays, S08.overlays[-1], S13.overlays[-1], Path(__file__).with_name("demo_overlay"))

CHAPTER = PREVIOUS.extend(name="full", title="the integrated agent", build=build, here=__file__,
                          overlays=DEMO_OVERLAYS,
                          add_arguments=add_arguments, run_query=headless.run_query, status_line=status_line,
                          completer=mention_completer)
