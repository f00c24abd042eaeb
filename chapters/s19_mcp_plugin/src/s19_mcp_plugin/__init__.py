"""Chapter 19: MCP plugin. See README.md for the modules in reading order.

subtle: as in s01, the names load on first use, so `s19_mcp_plugin --help` stays fast (and `mcp`,
heavy to import, is imported only on the thread that connects the servers).
"""

__all__ = ["McpPlugin", "McpTool", "ServerConfig", "Servers", "load_servers", "tool_name"]

WHERE = {"McpPlugin": "plugin", "McpTool": "tools", "ServerConfig": "config", "Servers": "servers",
         "load_servers": "config", "tool_name": "naming"}


def __getattr__(name: str):
    if name in WHERE:
        from importlib import import_module

        return getattr(import_module(f".{WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
