"""`Recovery` and `Continuation` in the loop, with the in-process scripted model (no sockets)."""

from __future__ import annotations

import anthropic
import pytest

from s01_agent_loop.agent import AgentConfig, View
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel, check_request, message, text, tool_use
from s02_tool_use import Extension, Harness
from s02_tool_use.wiring import TOOLS
from s11_error_recovery import Continuation, Recovery, RecoveryConfig, RecoveryFailed
from s11_error_recovery.wiring import CHAPTER


class CountingView(RecordingView):
    """Counts the model-call displays opened and closed: they must pair up."""

    def __init__(self):
        super().__init__()
        self.starts = self.ends = 0

    def model_start(self) -> None:
        self.starts += 1

    def model_end(self, reply) -> None:
        self.ends += 1


class CountCalls(Extension):
    def __init__(self):
        self.models: list[str] = []

    def wrap_model_call(self, agent, request, call_next):
        self.models.append(request["model"])
        return call_next(request)


def overloaded(api_error):
    return api_error(anthropic.OverloadedError, 529, "overloaded_error", headers={"retry-after": "1"})


def harness(tmp_path, script, *extensions, view: View | None = None):
    model = ScriptedModel(script)
    agent = Harness(model, AgentConfig(model="claude-main"), tmp_path, view or CountingView(), tools=TOOLS,
                    extensions=extensions)
    return agent, model


def recovery(waits: list, **config) -> Recovery:
    return Recovery(RecoveryConfig(**config), sleep=waits.append, rng=lambda: 0.5)


def valid(messages: list[dict]) -> bool:
    tail = [{"role": "user", "content": "next"}] if messages[-1]["role"] == "assistant" else []
    assert check_request({"model": "m", "max_tokens": 1, "messages": [*messages, *tail]}) == []
    return True


# --- Recovery ----------------------------------------------------------------------------------


def test_a_retry_passes_the_inner_wrappers_again_and_the_view_stays_balanced(tmp_path, api_error):
    waits, counter = [], CountCalls()
    agent, model = harness(tmp_path, [overloaded(api_error), text("ok")], recovery(waits), counter)
    assert agent.run("hi") == "ok"
    assert counter.models == ["claude-main", "claude-main"] and waits == [1.0]
    assert agent.view.starts == agent.view.ends == 2
    assert agent.view.texts == ["⟳ 529 overloaded · retry 1/8 in 1 s"]
    model.assert_done()


def test_a_bug_is_not_retried(tmp_path):
    waits = []
    agent, _ = harness(tmp_path, [ValueError("a bug in the harness")], recovery(waits))
    with pytest.raises(ValueError, match="a bug"):
        agent.run("hi")
    assert waits == []


def test_ctrl_c_during_the_countdown_keeps_the_history_valid(tmp_path, api_error):
    def interrupted(seconds):
        raise KeyboardInterrupt

    agent, _ = harness(tmp_path, [overloaded(api_error)], Recovery(sleep=interrupted))
    with pytest.raises(KeyboardInterrupt):
        agent.run("hi")
    assert agent.view.starts == agent.view.ends == 2
    assert valid(agent.messages) and agent.messages[-1]["content"][-1]["text"].startswith("[The user interrupted")


def test_only_overloads_in_a_row_switch_to_the_fallback(tmp_path, api_error):
    server_error = api_error(anthropic.InternalServerError, 500, "api_error")
    waits, counter = [], CountCalls()
    script = [overloaded(api_error), overloaded(api_error), server_error, overloaded(api_error), text("ok")]
    agent, _ = harness(tmp_path, script, recovery(waits, fallback_model="claude-fallback"), counter)
    assert agent.run("hi") == "ok"
    assert set(counter.models) == {"claude-main"}  # the 500 broke the streak: 2, then 1 overload in a row


def test_the_fallback_lasts_for_the_session(tmp_path, api_error):
    waits, counter = [], CountCalls()
    script = [overloaded(api_error), overloaded(api_error), text("ok"), text("still ok")]
    agent, _ = harness(tmp_path, script, recovery(waits, fallback_model="claude-fallback", fallback_after=2), counter)
    assert agent.run("hi") == "ok" and agent.run("again") == "still ok"
    assert counter.models == ["claude-main", "claude-main", "claude-fallback", "claude-fallback"]
    assert waits == [1.0]  # the switch itself does not wait
    assert "switching from claude-main to the fallback model claude-fallback" in "\n".join(agent.view.texts)


def test_a_subagent_shares_the_switch_but_counts_its_own_overloads():
    parent = Recovery(RecoveryConfig(fallback_model="b"))
    parent.models["a"], parent.n_overloads = "b", 2
    child = parent.for_subagent()
    assert child is not parent and child.models is parent.models and child.n_overloads == 0
    assert child.config is parent.config


def test_prompt_too_long_with_nothing_to_compact_stops_with_one_line(tmp_path, api_error):
    too_long = api_error(anthropic.BadRequestError, 400, "invalid_request_error",
                         "prompt is too long: 201000 tokens > 200000 maximum")
    agent, _ = harness(tmp_path, [too_long], Recovery())  # no s06 Compactor plugged in
    with pytest.raises(RecoveryFailed, match="prompt is too long and nothing could be compacted"):
        agent.run("hi")
    assert agent.view.starts == agent.view.ends and valid(agent.messages)


def test_the_chapter_plugs_recovery_in_outermost(tmp_path):
    args = parse_args(CHAPTER, ["--fallback-model", "claude-fallback"])
    agent = CHAPTER.build(Session(ScriptedModel([]), AgentConfig(model="m"), tmp_path, View(), args, False))
    assert [type(ext) for ext in agent.extensions[:2]] == [Recovery, Continuation]
    assert agent.extensions[0].config.fallback_model == "claude-fallback"


def test_max_retries_has_no_unlimited_setting():
    with pytest.raises(ValueError):
        RecoveryConfig(max_retries=0)
    with pytest.raises(ValueError):
        Continuation(max_continuations=0)


# --- Continuation ------------------------------------------------------------------------------


def test_only_the_last_call_of_a_cut_reply_is_refused(tmp_path):
    cut = message(tool_use("write_file", path="a.txt", content="whole\n"),
                  tool_use("write_file", path="b.txt", content="hal"), stop_reason="max_tokens")
    agent, model = harness(tmp_path, [cut, text("done")], Continuation())
    assert agent.run("write a and b") == "done"
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "whole\n"
    assert not (tmp_path / "b.txt").exists()
    last = model.calls[-1]["messages"][-1]["content"]
    assert [block.get("is_error", False) for block in last[:2]] == [False, True]
    assert "cut off by max_tokens" in last[1]["content"] and "Continue exactly" in last[2]["text"]
    assert valid(agent.messages)


def test_a_model_that_always_hits_max_tokens_is_let_go_after_three_continuations(tmp_path):
    cut = message(text("and so on"), stop_reason="max_tokens")
    agent, model = harness(tmp_path, [cut] * 4 + [cut, text("short")], Continuation(max_continuations=3))
    assert agent.run("write forever") == "and so on"
    assert len(model.calls) == 4
    assert "hit max_tokens 4 times in a row" in agent.view.texts[-1]
    # the count starts again for the next prompt
    assert agent.run("once more") == "short" and len(model.calls) == 6
    assert valid(agent.messages)
