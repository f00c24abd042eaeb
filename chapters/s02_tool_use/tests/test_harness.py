"""The harness: the registry inside the loop, and every extension point, through the scripted model."""

from collections import Counter

import pytest
from pydantic import BaseModel

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Extension, Harness, Outcome, Tool, ToolResult
from s02_tool_use.harness import PromptBlocked
from s02_tool_use.wiring import TOOLS

CONFIG = AgentConfig(model="claude-test")


class Echo(BaseModel):
    word: str


def boom(args, ctx):
    raise RuntimeError("disk on fire")


ECHO = Tool("echo", "Say the word back.", Echo, lambda args, ctx: f"echo: {args.word}")
BOOM = Tool("boom", "Always fails.", Echo, boom)


def harness(tmp_path, script, *extensions, tools=(ECHO, BOOM)):
    model = ScriptedModel(script)
    return Harness(model, CONFIG, tmp_path, tools=tools, extensions=extensions), model


def results(agent, index=2) -> list[dict]:
    return [b for b in agent.messages[index]["content"] if b["type"] == "tool_result"]


def test_the_registry_sends_schemas_and_runs_tools(tmp_path):
    agent, model = harness(tmp_path, [tool_use("echo", word="hi"), text("done")])
    assert agent.run("say hi") == "done"
    assert results(agent)[0]["content"] == "echo: hi"
    spec = model.calls[0]["tools"][0]
    assert spec["name"] == "echo" and spec["input_schema"]["required"] == ["word"]


@pytest.mark.parametrize(
    "call, expected",
    [
        (tool_use("echo"), "Invalid input for echo: word: Field required"),
        (tool_use("echo", word=["a"]), "Invalid input for echo: word: Input should be a valid string"),
        (tool_use("nope", x=1), "Unknown tool 'nope'. Available tools: echo, boom."),
        (tool_use("boom", word="x"), "boom failed: RuntimeError: disk on fire"),
    ],
)
def test_every_failure_becomes_an_error_result_and_the_loop_goes_on(tmp_path, call, expected):
    agent, model = harness(tmp_path, [call, text("recovered")])
    assert agent.run("go") == "recovered"
    result = results(agent)[0]
    assert result["is_error"] is True and result["content"] == expected
    model.assert_done()


def test_several_calls_get_their_results_in_order_in_one_message(tmp_path):
    batch = message(tool_use("echo", word="1"), tool_use("boom", word="2"), tool_use("echo", word="3"))
    agent, model = harness(tmp_path, [batch, text("ok")])
    agent.run("three")
    got = results(agent)
    assert [r["content"] for r in got] == ["echo: 1", "boom failed: RuntimeError: disk on fire", "echo: 3"]
    assert [r.get("is_error", False) for r in got] == [False, True, False]
    assert len(agent.messages) == 4


class Recorder(Extension):
    """Counts every extension point it passes, like a hook that only watches."""

    def __init__(self):
        self.events = Counter()

    def system_prompt(self, agent):
        self.events["system_prompt"] += 1
        return "RECORDER SECTION"

    def before_request(self, agent):
        self.events["before_request"] += 1

    def wrap_model_call(self, agent, request, call_next):
        self.events["wrap_model_call"] += 1
        return call_next(request)

    def pre_tool_use(self, agent, call):
        self.events[f"pre_tool_use:{call.name}"] += 1

    def post_tool_use(self, agent, call, result):
        self.events[f"post_tool_use:{call.name}"] += 1

    def on_event(self, agent, event, data):
        self.events[event] += 1


def test_extension_points_fire_in_a_run(tmp_path):
    recorder = Recorder()
    agent, model = harness(tmp_path, [tool_use("echo", word="a"), text("one"), text("two")], recorder)
    agent.run("first")
    agent.run("second")
    assert recorder.events == {
        "SessionStart": 1, "UserPromptSubmit": 2, "Stop": 2,
        "system_prompt": 3, "before_request": 3, "wrap_model_call": 3,
        "pre_tool_use:echo": 1, "post_tool_use:echo": 1,
    }
    assert "RECORDER SECTION" in model.calls[0]["system"]


class Guard(Extension):
    def pre_tool_use(self, agent, call):
        if call.input.get("word") == "secret":
            return "echo of 'secret' is not allowed"
        call.input = {"word": call.input["word"].upper()}

    def post_tool_use(self, agent, call, result):
        return ToolResult(result.content + " [checked]", result.is_error)


def test_pre_tool_use_denies_or_rewrites_and_post_tool_use_rewrites(tmp_path):
    batch = message(tool_use("echo", word="secret"), tool_use("echo", word="quiet"))
    agent, _ = harness(tmp_path, [batch, text("ok")], Guard())
    agent.run("go")
    denied, rewritten = results(agent)
    assert denied["is_error"] is True and denied["content"] == "echo of 'secret' is not allowed"
    assert rewritten["content"] == "echo: QUIET [checked]"


def test_use_before_puts_an_extension_ahead_of_another(tmp_path):
    class Upper(Extension):
        def pre_tool_use(self, agent, call):
            call.input = {"word": call.input["word"].upper()}

    agent, _ = harness(tmp_path, [tool_use("echo", word="secret"), text("ok")], Guard())
    agent.use(Recorder()).use(Upper(), before=Guard)
    assert [type(ext).__name__ for ext in agent.extensions] == ["Upper", "Guard", "Recorder"]
    agent.run("go")
    assert results(agent)[0]["content"] == "echo: SECRET [checked]"  # rewritten before Guard looked


def test_a_denied_tool_never_runs(tmp_path):
    class NoWrites(Extension):
        def pre_tool_use(self, agent, call):
            return "writes are off" if call.name == "write_file" else None

    agent, _ = harness(tmp_path, [tool_use("write_file", path="x.txt", content="x"), text("ok")], NoWrites(), tools=TOOLS)
    agent.run("write")
    assert not (tmp_path / "x.txt").exists()
    assert results(agent)[0]["content"] == "writes are off"


def test_before_request_and_wrap_model_call_shape_what_is_sent(tmp_path):
    class Reminder(Extension):
        def before_request(self, agent):
            last = agent.messages[-1]
            if last["role"] == "user" and not any("REMINDER" in str(b) for b in last["content"]):
                last["content"].append({"type": "text", "text": "REMINDER: be brief"})

        def wrap_model_call(self, agent, request, call_next):
            return call_next(request | {"temperature": 0})

    agent, model = harness(tmp_path, [tool_use("echo", word="x"), text("ok")], Reminder())
    agent.run("go")
    assert model.calls[0]["temperature"] == 0
    last_sent = model.calls[1]["messages"][-1]["content"]
    assert last_sent[0]["type"] == "tool_result" and last_sent[-1]["text"] == "REMINDER: be brief"


def test_user_prompt_submit_can_block_or_add_context(tmp_path):
    class Gate(Extension):
        def on_event(self, agent, event, data):
            if event == "UserPromptSubmit" and "password" in data["prompt"]:
                return Outcome(block="prompts with passwords are refused")
            if event == "SessionStart":
                return Outcome(context=["Today is a test day."])

    agent, model = harness(tmp_path, [text("ok")], Gate())
    with pytest.raises(PromptBlocked, match="passwords"):
        agent.run("my password is hunter2")
    assert model.calls == []
    agent.run("hello")
    assert model.calls[0]["messages"][0]["content"][0]["text"] == "Today is a test day."


def test_stop_can_keep_the_model_going_once(tmp_path):
    class InsistOnTests(Extension):
        def on_event(self, agent, event, data):
            if event == "Stop" and not data["stop_hook_active"]:
                return Outcome(block="Run the tests before you stop.")

    agent, model = harness(tmp_path, [text("done?"), text("tests pass, done")], InsistOnTests())
    assert agent.run("work") == "tests pass, done"
    assert model.calls[1]["messages"][-1]["content"][-1]["text"] == "Run the tests before you stop."
    model.assert_done()
