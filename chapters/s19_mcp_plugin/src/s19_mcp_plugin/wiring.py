"""Chapter 19's agent in one screen: chapter 18's agent plus `McpPlugin`: the MCP servers of
`.mcp.json` (approved once), `~/.claude.json` and `--mcp-config`, connected in the background, their
tools named `mcp__<server>__<tool>` beside the native ones, through the same gate, hooks and spill.
The demo lays a `.mcp.json` (this chapter's own `wordstats` server), its approval and a deny rule
over the sample project."""

from __future__ import annotations

import argparse
from pathlib import Path

from s01_agent_loop.cli import Session
from s07_permission_system.ask import ConsoleAsk
from s07_permission_system.permissions import Permissions
from s18_worktree_task_isolation.wiring import CHAPTER as PREVIOUS
from s18_worktree_task_isolation.wiring import build as build_previous

from .approval import approved
from .config import load_servers
from .plugin import McpPlugin
from .servers import timeouts


def build(session: Session):
    agent = build_previous(session)
    # 1. every configured server (a broken file stops here, naming it); project ones need a yes
    configs = load_servers(session.workdir, extra=getattr(session.args, "mcp_config", None) or [])
    console = getattr(session.view, "console", None)
    confirm = ConsoleAsk(console).confirm if session.interactive and console is not None else None
    allowed = approved(configs, session.workdir, confirm, session.view.notice)
    # 2. the extension, ahead of the gate (a dead server reconnects before its call is judged)
    plugin = McpPlugin(configs, session.workdir, *timeouts(),
                       tell=session.inbox.tell if session.inbox.console is not None else None)
    for name in configs.keys() - allowed.keys():
        plugin.servers.servers[name].status = "not approved"
    agent.use(plugin, before=Permissions)
    # 3. connect in the background: the prompt is ready at once, the first request waits
    plugin.start()
    return agent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mcp-config", action="append", type=Path, metavar="FILE",
                        help='MCP servers for this run, in .mcp.json\'s form {"mcpServers": {...}} (repeatable)')


CHAPTER = PREVIOUS.extend(name="s19_mcp_plugin", title="MCP plugin", build=build, here=__file__,
                          overlays=(Path(__file__).with_name("demo_overlay"),), inherit_overlays=False,
                          add_arguments=add_arguments)
