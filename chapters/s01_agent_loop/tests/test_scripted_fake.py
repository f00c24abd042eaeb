"""The in-process scripted model: plays back real Messages, raises, checks, counts."""

from __future__ import annotations

import anthropic
import pytest
from anthropic.types import Message

from s01_agent_loop.scripted import (
    ProtocolError,
    ScriptedModel,
    UnconsumedSteps,
    UnexpectedModelCall,
    message,
    text,
    tool_use,
)

BASH = {"name": "bash", "description": "Run a command.",
        "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}}


def request(messages):
    return {"model": "claude-test", "max_tokens": 256, "system": "Be brief.", "tools": [BASH], "messages": messages}


def test_plays_back_real_messages_and_records_calls():
    model = ScriptedModel([message(text("Two at once."), tool_use("bash", command="ls"), tool_use("bash", command="pwd")),
                           text("done")])
    messages = [{"role": "user", "content": "Where am I?"}]
    streamed = []

    first = model.query(request(messages), on_text=streamed.append)
    assert isinstance(first, Message) and first.model == "claude-test" and first.stop_reason == "tool_use"
    calls = [b for b in first.content if b.type == "tool_use"]
    assert [c.input for c in calls] == [{"command": "ls"}, {"command": "pwd"}]
    assert calls[0].id != calls[1].id
    assert streamed == ["Two at once."]

    # SDK objects go straight back into the conversation, as an agent loop appends them
    messages += [{"role": "assistant", "content": first.content},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": c.id, "content": "/tmp"}
                                              for c in calls]}]
    second = model.query(request(messages))
    assert second.content[0].text == "done" and second.stop_reason == "end_turn"
    assert second.usage.input_tokens > first.usage.input_tokens > 0
    assert model.calls[1]["messages"][1]["content"][1] == {"type": "tool_use", "id": calls[0].id,
                                                           "name": "bash", "input": {"command": "ls"}}
    messages.append("changed later")
    assert len(model.calls[1]["messages"]) == 3  # a copy, not the live list
    model.assert_done()


def test_raises_scripted_exceptions_then_continues():
    overloaded = anthropic.APIConnectionError(request=None)
    model = ScriptedModel([overloaded, text("recovered")])
    prompt = request([{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.APIConnectionError) as caught:
        model.query(prompt)
    assert caught.value is overloaded
    assert model.query(prompt).content[0].text == "recovered"


def test_rejects_an_invalid_request():
    model = ScriptedModel([text("never")])
    bad = request([{"role": "user", "content": "hi"}, {"role": "assistant", "content": [{"type": "text", "text": ""}]}])
    with pytest.raises(ProtocolError) as caught:
        model.query(bad)
    assert isinstance(caught.value, AssertionError)
    assert "ends on an assistant message" in str(caught.value) and "non-whitespace text" in str(caught.value)
    assert len(model.calls) == 1 and len(model.script) == 1


def test_extra_and_leftover_calls_fail():
    model = ScriptedModel([text("one"), text("two")])
    prompt = request([{"role": "user", "content": "hi"}])
    model.query(prompt)
    with pytest.raises(UnconsumedSteps, match="1 scripted reply was"):
        model.assert_done()
    model.query(prompt)
    model.assert_done()
    with pytest.raises(UnexpectedModelCall, match="call #3"):
        model.query(prompt)


def test_a_reply_played_twice_gets_fresh_tool_use_ids():
    ls = tool_use("bash", command="ls")
    model = ScriptedModel([ls, ls])
    messages = [{"role": "user", "content": "go"}]
    ids = []
    for _ in range(2):
        reply = model.query(request(messages))
        ids.append(reply.content[0].id)
        messages += [{"role": "assistant", "content": reply.content},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": ids[-1], "content": "x"}]}]
    assert ids[0] == ls.content[0].id and ids[1] != ids[0]
