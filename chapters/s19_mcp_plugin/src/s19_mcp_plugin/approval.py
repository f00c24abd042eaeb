"""Project servers start only once the user approved them, as in Claude Code.

A `.mcp.json` comes with the project: cloning a repository must not start the programs it names.
So a project server is asked about once, and the answer kept in `.claude/settings.local.json`
under Claude Code's keys:

    "enableAllProjectMcpServers": true        every server of this project's .mcp.json
    "enabledMcpjsonServers": ["wordstats"]    these, by name
    "disabledMcpjsonServers": ["other"]       never these (a no is remembered too)

The keys are read from every settings file (s02's `read_settings`); a disabled name wins. With no
terminal (`-q`), an unanswered server is not started, and one line says how to approve it. User
servers (`~/.claude.json`) and `--mcp-config` are the user's own choice: they need no approval.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from s02_tool_use.settings import (
    change_local_settings,
    merged_list,
    most_specific,
    read_settings,
    settings_paths,
)

from .config import ServerConfig

ENABLED, DISABLED, ALL = "enabledMcpjsonServers", "disabledMcpjsonServers", "enableAllProjectMcpServers"


def approved(servers: dict[str, ServerConfig], workdir: Path, confirm: Callable[[str], bool] | None,
             warn: Callable[[str], None], home: Path | None = None) -> dict[str, ServerConfig]:
    """The servers that may start: every non-project one, and each project one that the settings
    allow or the user allows now (then remembered). `confirm` is None when nobody can be asked."""
    files = read_settings(workdir, home)
    enabled, disabled = set(merged_list(files, ENABLED)), set(merged_list(files, DISABLED))
    everything = most_specific(files, ALL) is True
    allowed = {}
    for name, server in servers.items():
        if server.scope != "project":
            allowed[name] = server
        elif name in disabled:
            continue  # the user said no before: quietly, as Claude Code does
        elif name in enabled or everything:
            allowed[name] = server
        elif confirm is None:
            warn(f"mcp: the project server {name!r} in .mcp.json is not approved, so it is not started (no terminal "
                 f"to ask). Approve it in the REPL, or add it to {ENABLED} in .claude/settings.local.json.")
        else:
            yes = confirm(f"This project's .mcp.json asks to start the MCP server {name!r} ({server.describe()}). "
                          "It runs with your permissions. Start it, now and in later sessions?")
            remember(workdir, name, yes, home)
            if yes:
                allowed[name] = server
    return allowed


def remember(workdir: Path, name: str, yes: bool, home: Path | None = None) -> Path:
    """Add `name` to enabledMcpjsonServers (or disabledMcpjsonServers) in settings.local.json,
    keeping everything else in the file; written atomically (s02's `change_local_settings`)."""
    key, other = (ENABLED, DISABLED) if yes else (DISABLED, ENABLED)

    def record(data) -> None:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        names = data[key] if isinstance(data.get(key), list) else []
        data[key] = [*names, *([name] if name not in names else [])]
        if isinstance(data.get(other), list) and name in data[other]:
            data[other] = [n for n in data[other] if n != name]

    try:
        return change_local_settings(workdir, record, home)
    except ValueError:  # not ours to repair; the answer holds for this session only
        return settings_paths(workdir, home)["local"]
