"""The `mcp` side of one connection: the `mcp.Client` for a configured server, and what its errors mean.

Everything here imports `mcp` inside the functions: they run on the loop's thread (servers.py), so
the command line never pays for the import before a server is started.
"""

from __future__ import annotations

from pathlib import Path

from s02_tool_use.state import state_path

from .config import ServerConfig


def connect(config: ServerConfig, workdir: Path, on_message=None):
    """The `mcp.Client` for one configured server (an async context manager); `on_message` gets
    what the server sends besides answers, and transport faults (a malformed line) as exceptions."""
    from contextlib import AsyncExitStack, asynccontextmanager

    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    @asynccontextmanager
    async def connected():
        async with AsyncExitStack() as stack:
            if config.type == "stdio":
                # the server's stderr goes to a log file, not over the user's screen
                log = stack.enter_context(open(state_path(workdir, "mcp", f"{config.name}.log"), "a", encoding="utf-8"))  # noqa: SIM115
                params = StdioServerParameters(command=config.command, args=list(config.args), env=dict(config.env) or None,
                                               cwd=workdir, encoding_error_handler="replace")
                transport = stdio_client(params, errlog=log)
            elif config.type == "http":
                http = await stack.enter_async_context(create_mcp_http_client(headers=dict(config.headers)))
                transport = streamable_http_client(config.url, http_client=http)
            else:
                raise ValueError(f"type {config.type} is not supported here (use stdio or http)")
            yield await stack.enter_async_context(Client(transport, message_handler=on_message))

    return connected()


async def list_all_tools(client) -> list:
    tools, cursor = [], None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools += page.tools
        cursor = page.next_cursor
        if not cursor:
            return tools


def leaves(error: BaseException) -> list[BaseException]:
    """The errors inside exception groups (anyio's task groups wrap what their tasks raise)."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


def describe(error: BaseException) -> str:
    leaf = leaves(error)[0]
    text = str(leaf).strip().splitlines()[0] if str(leaf).strip() else ""
    return f"{type(leaf).__name__}: {text}" if text else type(leaf).__name__


def broken(error: BaseException) -> bool:
    """Whether an error means the connection is gone (not a server's answer to a bad request)."""
    import anyio
    from mcp import MCPError

    for leaf in leaves(error):
        if isinstance(leaf, anyio.ClosedResourceError | anyio.BrokenResourceError | anyio.EndOfStream | OSError):
            return True
        if isinstance(leaf, MCPError) and "closed" in str(leaf).lower():
            return True
    return False
