"""The loop, with the in-process scripted model and real shell commands in tmp_path."""

from collections import Counter

import pytest

from s01_agent_loop import Agent, AgentConfig, View
from s01_agent_loop.errors import TurnLimit
from s01_agent_loop.scripted import ScriptedModel, check_request, message, text, tool_use

CONFIG = AgentConfig(model="claude-test")


class CountingView(View):
    def __init__(self):
        self.events = Counter()

    def model_start(self):
        self.events["model_start"] += 1

    def model_text(self, delta):
        self.events["model_text"] += 1

    def model_end(self, reply):
        self.events["model_end"] += 1

    def tool_start(self, name, tool_input):
        self.events[f"tool_start:{name}"] += 1

    def tool_end(self, name, output, is_error):
        self.events[f"tool_end:{name}:{'error' if is_error else 'ok'}"] += 1


def results_of(message_: dict) -> list[dict]:
    return [block for block in message_["content"] if block["type"] == "tool_result"]


def assert_valid_history(agent):
    """The conversation could be sent as is: the real API's rules hold."""
    assert check_request({"model": "m", "max_tokens": 10, "messages": agent.messages}) == []


def test_runs_a_tool_and_returns_the_final_text(tmp_path):
    (tmp_path / "a.txt").write_text("alpha\n")
    model = ScriptedModel([tool_use("bash", command="cat a.txt"), text("It says alpha.")])
    view = CountingView()
    agent = Agent(model, CONFIG, tmp_path, view)

    assert agent.run("what is in a.txt?") == "It says alpha."

    model.assert_done()
    assert [m["role"] for m in agent.messages] == ["user", "assistant", "user", "assistant"]
    assert results_of(agent.messages[2])[0]["content"] == "alpha"
    assert (agent.n_turns, agent.n_tool_calls) == (2, 1)
    assert view.events == {"model_start": 2, "model_text": 1, "model_end": 2, "tool_start:bash": 1, "tool_end:bash:ok": 1}
    assert model.calls[0]["tools"][0]["name"] == "bash"
    assert str(tmp_path) in model.calls[0]["system"]


def test_several_calls_in_one_reply_get_results_in_order_in_one_message(tmp_path):
    model = ScriptedModel([message(tool_use("bash", command="echo one"), tool_use("bash", command="echo two")), text("ok")])
    agent = Agent(model, CONFIG, tmp_path)
    agent.run("two commands")
    calls = [b for b in agent.messages[1]["content"] if b["type"] == "tool_use"]
    results = results_of(agent.messages[2])
    assert [r["tool_use_id"] for r in results] == [c["id"] for c in calls]
    assert [r["content"] for r in results] == ["one", "two"]
    model.assert_done()


@pytest.mark.parametrize(
    "call, expected",
    [
        (tool_use("python", code="1+1"), "Unknown tool 'python'"),
        (tool_use("bash"), "non-empty string `command`"),
        (tool_use("bash", command=42), "non-empty string `command`"),
    ],
)
def test_bad_calls_become_error_results_and_the_loop_goes_on(tmp_path, call, expected):
    model = ScriptedModel([call, text("sorry")])
    agent = Agent(model, CONFIG, tmp_path)
    assert agent.run("go") == "sorry"
    result = results_of(agent.messages[2])[0]
    assert result["is_error"] is True and expected in result["content"]


def test_turn_limit_stops_with_a_valid_history(tmp_path):
    model = ScriptedModel([tool_use("bash", command="true") for _ in range(3)])
    agent = Agent(model, AgentConfig(model="m", max_turns=2), tmp_path)
    with pytest.raises(TurnLimit):
        agent.run("loop forever")
    assert agent.n_turns == 2
    assert_valid_history(agent)


def test_ctrl_c_during_the_model_call_keeps_the_history_valid(tmp_path):
    model = ScriptedModel([KeyboardInterrupt(), text("Back again.")])
    agent = Agent(model, CONFIG, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        agent.run("first")
    assert agent.run("second") == "Back again."  # the fake checks this request is valid
    assert "interrupted" in str(agent.messages[0]["content"])
    model.assert_done()


def test_ctrl_c_in_a_tool_batch_answers_every_tool_use(tmp_path):
    class InterruptSecond(Agent):
        def execute(self, call):
            if self.n_tool_calls == 2:
                raise KeyboardInterrupt
            return super().execute(call)

    batch = message(*(tool_use("bash", command=f"echo {i}") for i in range(3)))
    model = ScriptedModel([batch, text("resumed")])
    agent = InterruptSecond(model, CONFIG, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        agent.run("three commands")
    results = results_of(agent.messages[2])
    assert [r["content"] for r in results][0] == "0"
    assert all("interrupted" in r["content"] for r in results[1:]) and len(results) == 3
    assert_valid_history(agent)
    assert agent.run("go on") == "resumed"
    model.assert_done()
