"""MCP tools as s02 `Tool`s: one `McpTool` per server tool, and the two resource tools.

An `McpTool` is an ordinary `Tool` to the harness: it is in the registry, passes s07's gate and s08's
hooks, and its result passes s06's spill, because all of that happens in `Harness.execute`. What
differs is declared on it:
- `input_schema`: the server's JSON schema, sent as it is (s02); `AnyInput` lets any object through
  and the server checks the rest (a bad input comes back as an `is_error` result);
- `kind` None: s07 asks before it runs in default mode unless a rule allows it (as Claude Code does);
- `read_only`: the server's `readOnlyHint` (then plan mode does not refuse it, and s20 may run it
  beside other reads);
- `server` and `remote`: which server, and the tool's own name there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from pydantic import BaseModel, Field

from s02_tool_use.tools import AnyInput, Tool, ToolContext, ToolError, ToolResult

from .naming import tool_name
from .results import IMAGE_TYPES, resource_text, tool_result
from .servers import ServerDown, Servers

MAX_DESCRIPTION = 2048  # characters of a server's tool description sent to the model


@dataclass(frozen=True)
class McpTool(Tool):
    server: str = ""
    """The configured server's name (the key in `mcpServers`)."""
    remote: str = ""
    """The tool's name on that server (the model sees `name`, `mcp__<server>__<tool>`)."""


def mcp_tools(servers: Servers, server_name: str, taken: set[str]) -> list[McpTool]:
    """The tools server `server_name` listed, named for the model; `taken` grows with each name."""
    made = []
    for listed in servers.servers[server_name].tools:
        name = tool_name(server_name, listed.name, taken)
        taken.add(name)
        schema = dict(listed.input_schema or {})
        schema.setdefault("type", "object")  # the API wants an object schema
        hints = listed.annotations
        description = (listed.description or listed.title or f"The {listed.name} tool of the MCP server {server_name}.")
        made.append(McpTool(
            name, description[:MAX_DESCRIPTION], AnyInput, partial(call_tool, servers, server_name, listed.name),
            kind=None, read_only=bool(hints and hints.read_only_hint), input_schema=schema,
            server=server_name, remote=listed.name))
    return made


def call_tool(servers: Servers, server: str, remote: str, args: AnyInput, ctx: ToolContext) -> ToolResult:
    """`tools/call` on the server; its answer as a `ToolResult`; a dead or silent server an error."""
    try:
        answer = servers.call(server, lambda client, name, arguments: client.call_tool(name, arguments),
                              remote, args.model_dump())
    except ServerDown as error:
        raise ToolError(f"{error}. Its tools are gone until it is used again (a call reconnects it).") from None
    return tool_result(answer)


# ---------------------------------------------------------------------------------------------
# Resources: Claude Code's ListMcpResourcesTool and ReadMcpResourceTool


class ListResourcesInput(BaseModel):
    server: str | None = Field(None, description="Only this server's resources (default: every server's).")


class ReadResourceInput(BaseModel):
    server: str = Field(description="The MCP server's name.")
    uri: str = Field(description="The resource's URI, as ListMcpResourcesTool shows it.")


def resource_tools(servers: Servers) -> list[Tool]:
    return [
        Tool("ListMcpResourcesTool", "List the resources (files, documents, data) that the connected MCP servers "
             "offer: server, URI, name and description.", ListResourcesInput, partial(list_resources, servers),
             kind="read", read_only=True),
        Tool("ReadMcpResourceTool", "Read one resource of an MCP server by its URI (see ListMcpResourcesTool).",
             ReadResourceInput, partial(read_resource, servers), kind="read", read_only=True),
    ]


def list_resources(servers: Servers, args: ListResourcesInput, ctx: ToolContext) -> str:
    if args.server is not None and args.server not in servers.servers:
        raise ToolError(f"No MCP server {args.server!r}. Servers: {', '.join(servers.servers) or '(none)'}.")
    lines = []
    for name, server in servers.servers.items():
        if args.server not in (None, name) or server.status != "connected" or not server.has_resources:
            continue
        try:
            listed = servers.call(name, lambda client: client.list_resources())
        except ServerDown as error:
            lines.append(f"{name}: {error}")
            continue
        lines += [f"{name}: {r.uri} ({r.name})" + (f" - {r.description}" if r.description else "")
                  for r in listed.resources]
    return "\n".join(lines) or "No resources: no connected MCP server offers any."


def read_resource(servers: Servers, args: ReadResourceInput, ctx: ToolContext) -> ToolResult:
    if args.server not in servers.servers:
        raise ToolError(f"No MCP server {args.server!r}. Servers: {', '.join(servers.servers) or '(none)'}.")
    try:
        answer = servers.call(args.server, lambda client, uri: client.read_resource(uri), args.uri)
    except ServerDown as error:
        raise ToolError(str(error)) from None
    texts, blocks = [], []
    for contents in answer.contents:
        if getattr(contents, "blob", None) is not None and contents.mime_type in IMAGE_TYPES:
            blocks.append({"type": "image", "source": {"type": "base64", "media_type": contents.mime_type,
                                                         "data": contents.blob}})
        else:
            texts.append(resource_text(contents))
    return ToolResult("\n".join(texts) or "(empty resource)", blocks=blocks or None)
