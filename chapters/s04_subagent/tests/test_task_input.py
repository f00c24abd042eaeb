"""A Task with an empty or blank prompt or description starts no child (whose first message would be
an empty text block, a 400): the model gets a clear is_error result and goes on."""

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedModel, ScriptedServer, step, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.wiring import TOOLS
from s04_subagent.subagents import Subagents


def results(request) -> list[dict]:
    return [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]


@pytest.mark.parametrize(("field", "value"), [("prompt", ""), ("prompt", " \n\t"), ("description", ""),
                                              ("description", "   ")])
def test_a_blank_field_is_an_error_result_and_no_child_runs(tmp_path, field, value):
    task = {"description": "find the todos", "prompt": "List the TODO lines.", "subagent_type": "Explore",
            field: value}
    model = ScriptedModel([tool_use("Task", **task), text("I will write a real prompt next time.")])
    agent = Harness(model, AgentConfig(model="claude-test"), tmp_path, tools=TOOLS, extensions=[Subagents()])
    assert agent.run("what is left to do?") == "I will write a real prompt next time."
    model.assert_done()  # two calls: the parent's, and its next one; no child asked the model anything
    [result] = results(model.calls[1])
    assert result["is_error"] is True
    assert result["content"] == f"Invalid input for Task: {field}: Value error, must not be empty or blank"


def test_from_the_command_line_the_model_is_told_and_the_api_never_sees_an_empty_text(tmp_path):
    script = [step(tool_use=[{"name": "Task", "input": {"description": "look", "prompt": "  "}}]),
              step(text="Sorry, that Task had no prompt.",
                   expect={"tool_result_is_error": True, "tool_result_contains": "prompt: Value error, must not be "
                                                                                 "empty or blank"})]
    with ScriptedServer(script) as server:
        env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s04_subagent", "-q", "look around", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (0, "Sorry, that Task had no prompt.\n"), result.stderr
    server.assert_done()  # every request followed the protocol: no empty text block was ever sent
    assert len(server.requests) == 2
