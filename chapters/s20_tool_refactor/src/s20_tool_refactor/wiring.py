"""Chapter 20's agent in one screen: chapter 19's agent, its s02 tools declared once more in the
new form where they are still s02's (`native.py`: the same schemas, results and facts), its MCP
tools in the same form (`adopt`, with a timeout just past s19's own for a call), and
`ConcurrentTools`, the extension that routes every reply's calls, native and MCP alike: read-only
ones side by side, each started as soon as its block has streamed in, results in call order, a
timeout per tool."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s19_mcp_plugin.plugin import McpPlugin
from s19_mcp_plugin.wiring import CHAPTER as PREVIOUS
from s19_mcp_plugin.wiring import build as build_previous

from .concurrency import ConcurrentTools
from .declare import adopt
from .native import redeclare

MCP_MARGIN = 5.0
"""Seconds the router waits past s19's own limit for an MCP call, so s19's message ("timed out
after N s") is the one the model reads."""


def build(session: Session):
    agent = build_previous(session)
    redeclare(agent.tools)  # s02's tools in the new form, each in its original's place in the list
    if (plugin := McpPlugin.of(agent)) is not None:  # MCP tools too, as each server's are listed
        plugin.declare = lambda mcp_tool: adopt(mcp_tool, timeout=plugin.servers.call_timeout + MCP_MARGIN)
    agent.use(ConcurrentTools())  # last, so its wrap_model_call sees each attempt (s11 retries outside it)
    return agent


CHAPTER = PREVIOUS.extend(name="s20_tool_refactor", title="tool refactor", build=build, here=__file__)
