"""Rewrites that keep the history valid: the safe cut never splits a tool pair, clearing only
changes tool_result contents. Checked with the scripted model's own protocol rules."""

import copy

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, check_request, text
from s02_tool_use import Harness
from s06_context_compact import CompactionConfig, Compactor
from s06_context_compact.history import CLEARED, clear, old_results, safe_cut
from s06_context_compact.summary import summary_message


def user(*blocks):
    return {"role": "user", "content": [*blocks]}


def assistant(*blocks):
    return {"role": "assistant", "content": [*blocks]}


def say(s):
    return {"type": "text", "text": s}


def use(id_):
    return {"type": "tool_use", "id": id_, "name": "bash", "input": {"command": id_}}


def result(id_, content="out", **extra):
    return {"type": "tool_result", "tool_use_id": id_, "content": content, **extra}


# a prompt, a batch of two calls, one call, a final answer, a new prompt, a call answered mid-turn
HISTORY = [
    user(say("fix the bug")),
    assistant(say("Two looks."), use("t1"), use("t2")),
    user(result("t1"), result("t2", "boom", is_error=True)),
    assistant(use("t3")),
    user(result("t3")),
    assistant(say("Fixed.")),
    user(say("now add a test")),
    assistant(use("t4")),
    user(result("t4"), say("reminder: keep the plan updated")),
]


def request(messages):
    return {"model": "m", "max_tokens": 10, "messages": messages}


def test_the_sample_history_is_valid():
    assert check_request(request(HISTORY)) == []


@pytest.mark.parametrize("keep", range(1, len(HISTORY) + 2))
def test_the_cut_never_splits_a_pair_and_the_compacted_history_is_valid(keep):
    cut = safe_cut(HISTORY, keep)
    assert HISTORY[cut]["role"] == "assistant"
    assert len(HISTORY) - cut >= min(keep, len(HISTORY) - 1)  # at least `keep` kept, when there are that many
    compacted = [summary_message("S", ".harness/transcripts/x.jsonl", None, [], []), *HISTORY[cut:]]
    assert check_request(request(compacted)) == []


@pytest.mark.parametrize("keep, naive, cut", [(1, 8, 7), (2, 7, 7), (5, 4, 3), (6, 3, 3), (7, 2, 1)])
def test_a_naive_cut_on_a_tool_result_steps_back_to_its_tool_use(keep, naive, cut):
    assert len(HISTORY) - keep == naive
    naive_tail = [summary_message("S", "t", None, [], []), *HISTORY[naive:]]
    if HISTORY[naive]["role"] == "user" and any(b["type"] == "tool_result" for b in HISTORY[naive]["content"]):
        assert check_request(request(naive_tail))  # the naive cut really would be rejected
    assert safe_cut(HISTORY, keep) == cut


def test_nothing_to_cut_without_an_assistant_message():
    assert safe_cut([], 4) is None
    assert safe_cut([user(say("hi"))], 4) is None


def test_compaction_mid_turn_keeps_the_open_tool_pair(tmp_path):
    model = ScriptedModel([text("SUMMARY")])
    agent = Harness(model, AgentConfig(model="m"), tmp_path,
                    extensions=[Compactor(CompactionConfig(keep_messages=1))])
    agent.messages = copy.deepcopy(HISTORY)
    assert agent.extensions[0].compact(agent, "manual")
    assert agent.messages[1:] == HISTORY[7:]  # t4 and its result, not the result alone
    assert check_request(request(agent.messages)) == []
    summary_request = model.calls[0]
    assert [m["role"] for m in summary_request["messages"]] == ["user"]
    assert "assistant called bash" in summary_request["messages"][0]["content"][0]["text"]


def test_clearing_changes_only_old_tool_result_contents():
    history = copy.deepcopy(HISTORY)
    old = old_results(history, keep=2)
    assert [b["tool_use_id"] for b in old] == ["t1", "t2"]
    clear(old)
    assert check_request(request(history)) == []
    for before, after in zip(HISTORY, history, strict=True):
        for b, a in zip(before["content"], after["content"], strict=True):
            if a.get("tool_use_id") in ("t1", "t2"):
                assert a == {**b, "content": CLEARED}  # id and is_error kept
            else:
                assert a == b
    assert old_results(history, keep=2) == []  # cleared blocks are not cleared again
