"""What the red-team tests share: one tool call through the gate, every tool behind a spy."""

from dataclasses import replace

import pytest

from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use.harness import Harness, HarnessConfig
from s02_tool_use.wiring import TOOLS
from s07_permission_system import Permissions


@pytest.fixture
def attempt():
    def attempt(workdir, home, mode, name, tool_input):
        """One tool call through the gate, every tool behind a spy; returns (result, spy, requests)."""
        spy = []

        def spied(tool):
            def run(args, ctx):
                spy.append(tool.name)
                return tool.run(args, ctx)
            return replace(tool, run=run)

        model = ScriptedModel([tool_use(name, **tool_input), text("done")])
        agent = Harness(model, HarnessConfig(model="claude-test", permission_mode=mode), workdir, RecordingView(),
                        tools=[spied(tool) for tool in TOOLS], extensions=[Permissions(home=home)])
        agent.run("try it")
        model.assert_done()
        result = next(b for b in agent.messages[2]["content"] if b["type"] == "tool_result")
        return result, spy, model.calls

    return attempt
