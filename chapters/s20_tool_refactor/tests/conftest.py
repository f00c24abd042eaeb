"""An s02 harness with s20's router and tools made for the test, on the in-process scripted model."""

from __future__ import annotations

import threading

import pytest

from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel
from s02_tool_use.harness import Harness
from s20_tool_refactor.concurrency import ConcurrentTools


def harness(tmp_path, script, *tools, extensions=(), model=None, stream_start=True) -> Harness:
    """A harness with `tools`, `extensions` and, last, `ConcurrentTools`."""
    return Harness(model or ScriptedModel(script), AgentConfig(model="claude-test"), tmp_path, RecordingView(),
                   tools=tools, extensions=[*extensions, ConcurrentTools(stream_start=stream_start)])


def results(agent) -> list[tuple[str, str, bool]]:
    """The last batch's tool_results as (tool_use_id, content, is_error), in order."""
    answered = next(m for m in reversed(agent.messages) if m["role"] == "user" and m["content"][0].get("tool_use_id"))
    return [(b["tool_use_id"], b["content"], b.get("is_error", False)) for b in answered["content"]
            if b["type"] == "tool_result"]


def tool_ids(agent) -> list[str]:
    """The ids of the tool_use blocks of the last reply that called tools, in order."""
    reply = next(m for m in reversed(agent.messages) if m["role"] == "assistant"
                 and any(b["type"] == "tool_use" for b in m["content"]))
    return [b["id"] for b in reply["content"] if b["type"] == "tool_use"]


def tool_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tool ") and t.is_alive()]


@pytest.fixture(autouse=True)
def no_tool_thread_left():
    yield
    assert not tool_threads(), "a tool's thread outlived its test"


@pytest.fixture
def mcp_servers(tmp_path):
    """`--mcp-config FILE` for the course's wordstats MCP server (s19), tagged; after the test no
    process with the tag may be left."""
    import json
    import sys
    import uuid

    from s01_agent_loop.cli.testing import tagged, wait_until

    tag = f"s20-{uuid.uuid4().hex[:8]}"
    entry = {"type": "stdio", "command": sys.executable, "args": ["-m", "s19_mcp_plugin.server", "--root", "."],
             "env": {"TEST_TAG": tag}}
    config = tmp_path / "servers.json"
    config.write_text(json.dumps({"mcpServers": {"wordstats": entry}}), encoding="utf-8")
    yield ["--mcp-config", str(config)]
    assert wait_until(lambda: not tagged(tag), 10), f"orphans: {tagged(tag)}"
