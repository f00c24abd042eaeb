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
    plugin.sync(agent)  # a server that connected since the last request shows its tools
    table = Table(title="MCP servers", caption="the model sees each tool as mcp__<server>__<tool>",
                  title_justify="left", caption_justify="left", expand=False)
    for column in ("server", "from", "status"):
        table.add_column(column, overflow="fold")
    table.add_column("tools", no_wrap=True)
    for name, server in servers.servers.items():
        status = {"connected": f"[green]connected[/] ({server.seconds:.1f} s)",
                  "failed": f"[red]failed[/]: {server.error}"}.get(server.status, server.status)
        listed = server.tools if server.status == "connected" else []  # as the server lists them
        tools = [tool.name + (" [dim](read-only)[/]" if tool.annotations and tool.annotations.read_only_hint else "")
                 for tool in listed]
        table.add_row(f"{name}\n[dim]{server.config.type}[/]", f"{server.config.scope}\n[dim]{server.config.source}[/]",
                      status, "\n".join(tools) or "-")
    console.print(table)
