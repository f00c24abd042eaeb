"""Chapter 19: `McpPlugin`, the extension that puts MCP servers' tools beside the native ones.

s18's agent knows the tools its chapters wrote. An MCP server is a program (or a URL) that offers
tools of its own over a small JSON-RPC protocol; `McpPlugin` connects the configured servers
(servers.py) and turns what they list into `McpTool`s (tools.py) in the agent's registry. From
there the harness treats them like any other tool: s07's gate, s08's hooks and s06's spill meet
every call in `Harness.execute`. The extension points it uses:

    before_request   wait for servers still starting (the first request only), then bring the
                     registry in step: a connected server's tools in, a dead one's out
    pre_tool_use     a call to a dead server's tool reconnects it first (no opinion on the call)
    on_event         SessionEnd: every server stops, its process is gone
    commands         /mcp: servers, status, tools
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension
from s02_tool_use.tools import Tool, ToolCall

from .config import ServerConfig
from .servers import CALL_TIMEOUT, STARTUP_TIMEOUT, Server, Servers
from .tools import McpTool, mcp_tools, resource_tools


class McpPlugin(Extension):
    def __init__(self, configs: dict[str, ServerConfig], workdir: Path, startup_timeout: float = STARTUP_TIMEOUT,
                 call_timeout: float = CALL_TIMEOUT, tell: Callable[[object], None] | None = None):
        self.servers = Servers(configs, workdir, startup_timeout, call_timeout, on_change=self.changed)
        self.tell = tell  # shows the user a line from any thread; None: shown at the next request
        self.unshown: list[str] = []
        self.lock = threading.Lock()
        self.made: dict[str, tuple[int, list[Tool]]] = {}  # server -> (id of its tool list, its tools)
        self.owners: dict[str, str] = {}  # every MCP tool name ever made -> its server
        self.started = False
        self.declare: Callable[[McpTool], Tool] = lambda tool: tool
        """How each MCP tool enters the registry: as it is, or in a later chapter's form (s20's
        `DeclaredTool`, with its timeout)."""

    def start(self) -> McpPlugin:
        """Start connecting every server in the background; the REPL does not wait for them."""
        self.servers.start()
        return self

    def close(self) -> None:
        self.servers.close()

    def tools(self) -> list[Tool]:
        return resource_tools(self.servers) if self.servers.servers else []

    def for_subagent(self) -> None:
        """subtle: a subagent gets the MCP tools its parent has when it starts (s04 copies the
        parent's registry, then keeps only what its agent file's `tools:` names), and not this
        extension: it must not add back tools its agent type leaves out. A dead server's tool
        there answers with an error; the main agent reconnects it."""
        return None

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import show_servers

        return {"mcp": SlashCommand("MCP servers: status and tools; /mcp reconnect NAME", partial(show_servers, self))}

    # the points ----------------------------------------------------------------------------

    def before_request(self, agent) -> None:
        self.ready(agent)
        with self.lock:
            lines, self.unshown = self.unshown, []
        for line in lines:
            agent.view.notice(line)

    def pre_tool_use(self, agent, call: ToolCall) -> None:
        server = self.owners.get(call.name)
        if server is None or call.name in agent.tools.tools:
            return None
        # a dead server's tool: reconnect on use, then the gate after us judges the real tool
        agent.view.notice(Text(f"mcp: reconnecting {server} for {call.name}", style="dim"))
        self.servers.restart(server)
        self.sync(agent)
        return None

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionEnd":
            self.close()

    # ---------------------------------------------------------------------------------------

    def ready(self, agent) -> dict[str, str]:
        """The servers as the next request sees them: the first time, wait for those still starting
        (up to their timeout); their tools joined to the registry. Each server's status, by name
        (full's `-q` reports them before its first request)."""
        if not self.started:
            self.servers.wait_started()
            self.started = True
        self.sync(agent)
        return {name: server.status for name, server in self.servers.servers.items()}

    def current(self) -> list[Tool]:
        """The tools of every connected server, in configuration order, named without collisions."""
        taken: set[str] = set()
        found = []
        for name, server in self.servers.servers.items():
            if server.status != "connected":
                continue
            key = id(server.tools)
            if self.made.get(name, (None,))[0] != key:
                self.made[name] = (key, [self.declare(tool) for tool in mcp_tools(self.servers, name, set(taken))])
            for tool in self.made[name][1]:
                taken.add(tool.name)
                self.owners[tool.name] = name
            found += self.made[name][1]
        return found

    def sync(self, agent) -> None:
        """The registry in step with the servers: a connected server's tools in, a dead one's out."""
        current = {tool.name: tool for tool in self.current()}
        registry = agent.tools
        gone = [name for name in registry.tools if name in self.owners and name not in current]
        if gone:
            registry.remove(*gone)
        missing = [tool for name, tool in current.items() if name not in registry.tools]
        if missing:
            registry.add(*missing)

    def changed(self, server: Server) -> None:
        """A server connected or failed (called on the loop's thread)."""
        if server.status == "connected":
            line = Text(f"mcp: {server.name} connected ({len(server.tools)} tools, {server.seconds:.1f} s)", style="dim")
        else:
            line = Text(f"mcp: {server.name} failed: {server.error}; its tools are removed, the agent goes on",
                        style="yellow")
        if self.tell is not None:
            self.tell(line)
        else:
            with self.lock:
                self.unshown.append(line)
