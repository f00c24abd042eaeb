"""`/mcp`: every configured server, where it comes from, its status and its tools."""

from __future__ import annotations

from rich.table import Table


def show_servers(plugin, agent, argument: str, console) -> None:
    """`/mcp` lists the servers; `/mcp reconnect NAME` connects a failed or stopped one again."""
    servers = plugin.servers
    command, _, name = argument.partition(" ")
    if command == "reconnect":
        if name.strip() not in servers.servers:
            console.print(f"no MCP server {name.strip()!r}; servers: {', '.join(servers.servers) or '(none)'}")
            return
        server = servers.restart(name.strip())
        plugin.sync(agent)
        console.print(f"{server.name}: {server.status}" + (f" ({server.error})" if server.error else ""))
        return
    if not servers.servers:
        console.print("No MCP servers. Add one to .mcp.json (project), ~/.claude.json (user) or --mcp-config FILE.")
        return
    table = Table(title="MCP servers", title_justify="left", show_lines=False, expand=False)
    for column in ("server", "from", "transport", "status", "tools"):
        table.add_column(column, overflow="fold")
    registered = {name: tool for name, tool in agent.tools.tools.items() if getattr(tool, "server", None)}
    for name, server in servers.servers.items():
        status = {"connected": f"[green]connected[/] ({server.seconds:.1f} s)",
                  "failed": f"[red]failed[/]: {server.error}"}.get(server.status, server.status)
        tools = [f"{tool}" + (" (read-only)" if registered[tool].read_only else "")
                 for tool in registered if registered[tool].server == name]
        table.add_row(name, server.config.source, server.config.describe(), status, "\n".join(tools) or "-")
    console.print(table)
