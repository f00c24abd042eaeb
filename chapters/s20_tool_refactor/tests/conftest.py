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
