"""Which MCP servers there are: Claude Code's `mcpServers` blocks, read from three places.

    ~/.claude.json            user: `mcpServers` (every project), `projects[<dir>].mcpServers` (local)
    .mcp.json                 project: checked in with the project, so it needs approval (approval.py)
    --mcp-config FILE         this run only (the flag may be given more than once)

Each entry is `{"type": "stdio", "command", "args", "env"}` or `{"type": "http", "url", "headers"}`
(`type` may be left out for a stdio server). `${VAR}` and `${VAR:-default}` are expanded in the
command, args, env values, url and headers. A name defined in several places: the more specific wins
(local over project over user), and `--mcp-config` over all. A file that cannot be understood stops
the run with one line naming it (s01's `ConfigurationError`): never a run with fewer servers than
the user wrote.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from s01_agent_loop.errors import ConfigurationError
from s02_tool_use.settings import read_json

Scope = Literal["user", "local", "project", "cli"]
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ServerConfig:
    name: str
    """The key in `mcpServers`; the middle of its tools' names (`mcp__<name>__<tool>`)."""
    type: Literal["stdio", "http", "sse"]
    scope: Scope
    source: str
    """The file it was read from, as the user would name it (`.mcp.json`, `~/.claude.json`)."""
    command: str = ""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """`stdio: python -m server` or `http: http://127.0.0.1:8000/mcp`, for `/mcp`."""
        return f"{self.type}: {' '.join([self.command, *self.args]) if self.type == 'stdio' else self.url}"


def expand(text: str, env: Mapping[str, str], where: str) -> str:
    """`${VAR}` and `${VAR:-default}` from `env`; an unset variable with no default is an error.

    e.g. expand("${HOST:-localhost}:${PORT}", {"PORT": "80"}, "x") -> "localhost:80"
    """
    def value(found: re.Match) -> str:
        name, default = found.groups()
        if env.get(name):
            return env[name]
        if default is not None:
            return default
        if name in env:
            return ""
        raise ConfigurationError(f"{where}: ${{{name}}} is not set (write ${{{name}:-default}} for a default)")

    return VARIABLE.sub(value, text)


def parse_servers(data, scope: Scope, source: str, env: Mapping[str, str]) -> dict[str, ServerConfig]:
    """An `mcpServers` object -> {name: ServerConfig}; ConfigurationError naming the place otherwise."""
    if not isinstance(data, dict):
        raise ConfigurationError(f"{source}: mcpServers must be an object of servers by name")
    servers = {}
    for name, entry in data.items():
        where = f"{source}: mcpServers.{name}"
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{where}: expected an object with a command or a url")
        kind = entry.get("type") or ("stdio" if "command" in entry else "http" if "url" in entry else None)
        if kind == "streamable-http":
            kind = "http"
        if kind == "stdio":
            command, args, variables = entry.get("command"), entry.get("args", []), entry.get("env", {})
            if not isinstance(command, str) or not command.strip():
                raise ConfigurationError(f"{where}: a stdio server needs a command (a string)")
            if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
                raise ConfigurationError(f"{where}.args: expected a list of strings")
            if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
                raise ConfigurationError(f"{where}.env: expected an object of strings")
            servers[name] = ServerConfig(
                name, "stdio", scope, source, expand(command, env, where), tuple(expand(a, env, where) for a in args),
                {k: expand(v, env, where) for k, v in variables.items()})
        elif kind in ("http", "sse"):
            url, headers = entry.get("url"), entry.get("headers", {})
            if not isinstance(url, str) or not url.strip():
                raise ConfigurationError(f"{where}: an {kind} server needs a url (a string)")
            if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
                raise ConfigurationError(f"{where}.headers: expected an object of strings")
            servers[name] = ServerConfig(name, kind, scope, source, url=expand(url, env, where),
                                         headers={k: expand(v, env, where) for k, v in headers.items()})
        else:
            raise ConfigurationError(f"{where}: type must be stdio or http (got {entry.get('type')!r})")
    return servers


def load_servers(workdir: Path, home: Path | None = None, extra: list[Path] = (),
                 env: Mapping[str, str] | None = None) -> dict[str, ServerConfig]:
    """Every configured server by name, the most specific definition of each."""
    home, env = Path.home() if home is None else Path(home), os.environ if env is None else env
    servers: dict[str, ServerConfig] = {}
    user_file = home / ".claude.json"
    if user_file.is_file():
        data = read_json(user_file, "~/.claude.json")
        data = data if isinstance(data, dict) else {}
        servers |= parse_servers(data.get("mcpServers", {}), "user", "~/.claude.json", env)
        project = (data.get("projects") or {}).get(str(Path(workdir).resolve()))
        if isinstance(project, dict) and "mcpServers" in project:
            servers |= parse_servers(project["mcpServers"], "local", "~/.claude.json (this project)", env)
    project_file = Path(workdir) / ".mcp.json"
    if project_file.is_file():
        project_servers = parse_servers(servers_of(read_json(project_file, ".mcp.json"), ".mcp.json"), "project",
                                        ".mcp.json", env)
        servers |= {name: s for name, s in project_servers.items() if servers.get(name, s).scope != "local"}
    for path in extra:
        shown = str(path)
        if not Path(path).is_file():
            raise ConfigurationError(f"--mcp-config {shown}: no such file")
        servers |= parse_servers(servers_of(read_json(Path(path), shown), shown), "cli", shown, env)
    return servers


def servers_of(data, shown: str):
    """The `mcpServers` object of a file in `.mcp.json`'s form."""
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        raise ConfigurationError(f'{shown}: expected {{"mcpServers": {{name: {{...}}}}}}')
    return data.get("mcpServers", {})
