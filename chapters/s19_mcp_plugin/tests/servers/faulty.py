"""MCP servers that misbehave, for the tests: `python faulty.py MODE`.

    crashes      a real MCP server (MCPServer) whose `crash` tool kills the process mid-call;
                 `pid` says which process answers, `big` returns 60,000 characters
    garbles      a hand-written server that starts as any other, lists one tool, `garble`, and
                 answers a call of it with a line that is not JSON-RPC (mcp's own server cannot:
                 it diverts stray writes to stdout onto stderr)
    silent       reads requests and never answers, not even `initialize`
    malformed    answers every request with a line that is not JSON-RPC
"""

import json
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


def garbles():
    for line in sys.stdin:
        request = json.loads(line)
        method, request_id = request.get("method"), request.get("id")
        if request_id is None:  # a notification: no answer
            continue
        if method == "tools/call":
            sys.stdout.write("this is not JSON-RPC {{{\n")
            sys.stdout.flush()
            continue
        if method == "initialize":
            answer = {"result": {"protocolVersion": request["params"]["protocolVersion"], "capabilities": {"tools": {}},
                                 "serverInfo": {"name": "garbles", "version": "1"}}}
        elif method == "tools/list":
            answer = {"result": {"tools": [{"name": "garble", "description": "Answers with garbage.",
                                            "inputSchema": {"type": "object"}}]}}
        else:
            answer = {"error": {"code": -32601, "message": f"Method not found: {method}"}}
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request_id, **answer}) + "\n")
        sys.stdout.flush()


def malformed():
    for _ in sys.stdin:  # the first request (a discovery or `initialize`) gets garbage back
        sys.stdout.write("this is not JSON-RPC {{{\n")
        sys.stdout.flush()


if __name__ == "__main__":
    {"crashes": crashes, "garbles": garbles, "silent": silent, "malformed": malformed}[sys.argv[1]]()
