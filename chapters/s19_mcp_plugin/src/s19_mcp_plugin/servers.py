"""MCP servers, connected by the official `mcp` client on one background event loop.

The `mcp` client is async; the harness is synchronous and threaded. So one thread runs an anyio
event loop (`start_blocking_portal()`), and every connection lives there as a task that owns its
`mcp.Client` from the handshake to the end:

    starting --handshake + tools/list--> connected --stop / the server dies--> stopped | failed
       \\--no answer within the timeout, or an error--> failed

The harness's threads cross into the loop with `portal.start_task_soon(...)` and wait for the
answer, every call bounded by a timeout. A stdio server is a child process in its own process
group; the client kills the whole group when its task ends, so `close()` leaves no orphans.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .client import broken, connect, describe, list_all_tools
from .config import ServerConfig

STARTUP_TIMEOUT = 30.0  # seconds; MCP_TIMEOUT (milliseconds), as in Claude Code
CALL_TIMEOUT = 600.0  # seconds; MCP_TOOL_TIMEOUT (milliseconds)
CLOSE_TIMEOUT = 8.0  # the client closes stdin, waits 2 s, SIGTERM, 2 s, SIGKILL


def timeouts(env=None) -> tuple[float, float]:
    """(startup, call) timeouts in seconds, from Claude Code's MCP_TIMEOUT and MCP_TOOL_TIMEOUT (ms)."""
    import os

    env = os.environ if env is None else env

    def seconds(name: str, default: float) -> float:
        try:
            return max(0.1, float(env[name]) / 1000)
        except (KeyError, ValueError):
            return default

    return seconds("MCP_TIMEOUT", STARTUP_TIMEOUT), seconds("MCP_TOOL_TIMEOUT", CALL_TIMEOUT)


class ServerDown(Exception):
    """The server is not connected, or the connection broke during a call."""


@dataclass
class Server:
    """One configured server and what is known about it now."""

    config: ServerConfig
    status: str = "pending"
    """pending (not started yet), starting, connected, failed, stopped."""
    error: str = ""
    """Why it failed, in a few words."""
    tools: list = field(default_factory=list)
    """Its `mcp.types.Tool`s, as listed at the handshake."""
    has_resources: bool = False
    seconds: float = 0.0
    """How long the last start took (spawn, handshake, tools/list)."""
    client: Any = None
    ready: threading.Event = field(default_factory=threading.Event)
    """Set when the start ended, either way."""
    done: threading.Event = field(default_factory=threading.Event)
    """Set when its task ended (the process, if any, is gone)."""
    stop: Any = None  # an anyio.Event, made on the loop
    scope: Any = None  # the anyio.CancelScope around the connection

    @property
    def name(self) -> str:
        return self.config.name


class Servers:
    """Every server's connection, and the loop they live on."""

    def __init__(self, configs: dict[str, ServerConfig], workdir: Path, startup_timeout: float = STARTUP_TIMEOUT,
                 call_timeout: float = CALL_TIMEOUT, on_change=None):
        self.servers = {name: Server(config) for name, config in configs.items()}
        self.workdir = Path(workdir)
        self.startup_timeout, self.call_timeout = startup_timeout, call_timeout
        self.on_change = on_change or (lambda server: None)
        """Called (on the loop's thread) when a server connects or fails."""
        self.portal = None
        self.portal_context = None
        self.opened = threading.Event()
        self.lock = threading.Lock()
        self.closed = False

    # starting -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start every server in the background; returns at once (mcp is imported there too)."""
        if any(server.status == "pending" for server in self.servers.values()):
            threading.Thread(target=self.open, name="mcp-loop", daemon=True).start()
        else:
            self.opened.set()

    def open(self) -> None:
        import logging

        from anyio.from_thread import start_blocking_portal

        # subtle: the mcp library logs a bad line with a traceback, which Python prints on the
        # user's screen when nobody configured logging; what went wrong is reported by us instead
        logging.getLogger("mcp").addHandler(logging.NullHandler())

        try:
            with self.lock:
                if self.closed:
                    return
                self.portal_context = start_blocking_portal()
                self.portal = self.portal_context.__enter__()
                for server in self.servers.values():
                    if server.status == "pending":  # not a server the user did not approve
                        server.status = "starting"
                        self.portal.start_task_soon(self.serve, server)
        finally:
            self.opened.set()

    def wait_started(self, timeout: float | None = None) -> None:
        """Wait until no server is still starting (each bounded by its own startup timeout)."""
        deadline = time.monotonic() + (self.startup_timeout + 5 if timeout is None else timeout)
        self.opened.wait(max(0.0, deadline - time.monotonic()))
        for server in self.servers.values():
            if server.status in ("pending", "starting"):
                server.ready.wait(max(0.0, deadline - time.monotonic()))

    def restart(self, name: str) -> Server:
        """Connect a failed or stopped server again, and wait for the outcome (reconnect on use)."""
        server = self.servers[name]
        self.opened.wait(self.startup_timeout)
        if self.portal is None or self.closed or server.status in ("starting", "connected", "not approved"):
            return server
        server.done.wait(CLOSE_TIMEOUT)  # the old task is gone before a new one starts
        server.ready.clear()
        server.done.clear()
        server.status, server.error = "starting", ""
        self.portal.start_task_soon(self.serve, server)
        server.ready.wait(self.startup_timeout + 5)
        return server

    async def serve(self, server: Server) -> None:
        """The task owning one connection: connect, list tools, wait for the stop, disconnect."""
        import anyio

        server.stop, began = anyio.Event(), time.monotonic()
        try:
            # 1. one cancel scope around the whole connection; its deadline bounds only the start
            with anyio.CancelScope(deadline=anyio.current_time() + self.startup_timeout) as scope:
                server.scope = scope
                if self.closed:
                    scope.cancel()

                async def on_message(message) -> None:
                    # a line that is not JSON-RPC: fail now, not at the timeout. During the
                    # handshake the start fails; once connected, the server is stopped, which
                    # ends the calls waiting on it (their answer may be the line that broke)
                    if not isinstance(message, Exception) or server.status not in ("starting", "connected"):
                        return
                    was, (server.status, server.error) = server.status, ("failed", f"sent a malformed message "
                                                                         f"({describe(message)})")
                    if was == "starting":
                        scope.cancel()
                    else:
                        self.on_change(server)
                        server.stop.set()

                async with connect(server.config, self.workdir, on_message) as client:
                    tools = await list_all_tools(client)
                    scope.deadline = math.inf
                    server.client, server.tools = client, tools
                    server.has_resources = client.server_capabilities.resources is not None
                    server.status, server.seconds = "connected", time.monotonic() - began
                    server.ready.set()
                    self.on_change(server)
                    # 2. connected until told to stop (close, or a call found the connection broken)
                    await server.stop.wait()
            if scope.cancelled_caught and server.status in ("starting", "failed") and not self.closed:
                if server.status == "starting":
                    server.status, server.error = "failed", f"no answer within {self.startup_timeout:g} s"
                self.on_change(server)
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the agent goes on without it
            if server.status != "failed":  # (a call that found the connection broken said so already)
                server.status, server.error = "failed", describe(error)
                self.on_change(server)
        finally:
            server.client = None
            if server.status in ("starting", "connected"):
                server.status = "stopped"
            server.seconds = server.seconds or time.monotonic() - began
            server.ready.set()
            server.done.set()

    # using ----------------------------------------------------------------------------------

    def call(self, name: str, function, *args, timeout: float | None = None):
        """`await function(client, *args)` on the loop, for server `name`, within the timeout.
        ServerDown if it is not connected or the connection breaks (it is then marked failed)."""
        server = self.servers[name]
        client, limit = server.client, timeout or self.call_timeout
        if client is None or self.portal is None:
            raise ServerDown(f"the MCP server {name!r} is not connected ({server.error or server.status})")

        async def bounded():
            import anyio

            with anyio.fail_after(limit):
                return await function(client, *args)

        future = self.portal.start_task_soon(bounded)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()  # Ctrl-C: the call is abandoned on the loop too
            raise
        except TimeoutError:
            raise ServerDown(f"the MCP server {name!r} did not answer within {limit:g} s") from None
        except Exception as error:
            if not broken(error):
                raise
            self.fail(server, f"the connection broke during a call ({describe(error)})")
            raise ServerDown(f"the MCP server {name!r} stopped answering: {server.error}") from None

    def fail(self, server: Server, why: str) -> None:
        """Mark `server` failed and end its task (which ends its process)."""
        if server.status != "failed":  # (its task may have seen the break first, and said so)
            server.status, server.error = "failed", why
            self.on_change(server)
        if self.portal is not None and server.stop is not None:
            try:
                self.portal.call(server.stop.set)
            except RuntimeError:
                pass  # the loop is already gone

    def close(self) -> None:
        """Stop every server and the loop: the processes are gone when this returns."""
        with self.lock:
            self.closed = True
        self.opened.wait(self.startup_timeout)
        if self.portal is None:
            return
        running = [server for server in self.servers.values() if server.status in ("starting", "connected", "failed")]
        for server in running:
            # a connected server is asked to stop; one still starting is cancelled (the client's
            # teardown is shielded from the cancel: its process is still ended)
            if server.status == "connected" and server.stop is not None:
                self.portal.call(server.stop.set)
            elif server.scope is not None:
                self.portal.call(server.scope.cancel)
        for server in running:
            server.done.wait(CLOSE_TIMEOUT)
        self.portal_context.__exit__(None, None, None)
        self.portal = None


# ---------------------------------------------------------------------------------------------
