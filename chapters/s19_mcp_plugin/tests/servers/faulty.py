"""MCP servers that misbehave, for the tests: `python faulty.py MODE`.

    crashes      a real MCP server (MCPServer) whose `crash` tool kills the process mid-call;
                 `pid` says which process answers, `big` returns 60,000 characters
    silent       reads requests and never answers, not even `initialize`
    malformed    answers every request with a line that is not JSON-RPC
"""

import os
import sys


def crashes():
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("crashes")

    @server.tool()
    def pid() -> str:
        """Which process answers."""
        return str(os.getpid())

    @server.tool()
    def crash() -> str:
        """Dies in the middle of the call."""
        os._exit(3)

    @server.tool()
    def big() -> str:
        """A large result."""
        return "\n".join(f"line {i}: " + "x" * 50 for i in range(1000))

    server.run()


def silent():
    for _ in sys.stdin:
        pass


def malformed():
    for _ in sys.stdin:  # the first request (a discovery or `initialize`) gets garbage back
        sys.stdout.write("this is not JSON-RPC {{{\n")
        sys.stdout.flush()


if __name__ == "__main__":
    {"crashes": crashes, "silent": silent, "malformed": malformed}[sys.argv[1]]()
