"""The request validator and the prompt-cache accounting, on plain request dicts."""

from __future__ import annotations

import copy

import pytest

from s01_agent_loop.scripted import PromptCache, check_request, estimate_request

BASH = {"name": "bash", "description": "Run a command.",
        "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}}


def use(id_, command="ls"):
    return {"type": "tool_use", "id": id_, "name": "bash", "input": {"command": command}}


def result(id_, content="a.py\nb.py", **extra):
    return {"type": "tool_result", "tool_use_id": id_, "content": content, **extra}


def request(*messages, **fields):
    return {"model": "scripted", "max_tokens": 1024, "system": "You are a coding agent.",
            "tools": [copy.deepcopy(BASH)], "messages": list(messages), **fields}


def exchange():
    """A valid multi-turn tool exchange: two tools in one reply, then a follow-up prompt."""
    return request(
        {"role": "user", "content": "List the files and count lines."},
        {"role": "assistant", "content": [{"type": "text", "text": "Looking."}, use("t1"), use("t2", "wc -l *")]},
        {"role": "user", "content": [result("t1"), result("t2", "3 total"), {"type": "text", "text": "hurry"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Two files, three lines."}]},
        {"role": "user", "content": "Thanks. Now run the tests."},
    )


def test_accepts_a_valid_multi_turn_tool_exchange():
    assert check_request(exchange()) == []


def mutated(change):
    body = exchange()
    change(body)
    return check_request(body)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda b: b["messages"][2]["content"].pop(1), "['t2'] has no tool_result"),
        (lambda b: b["messages"][2]["content"].reverse(), "must come first"),
        (lambda b: b["messages"].insert(2, {"role": "user", "content": "wait"}), "has no tool_result"),
        (lambda b: b["messages"].pop(), "ends on an assistant message"),
        (lambda b: b["tools"][0].update(name="bad name!"), "does not match"),
        (lambda b: b["tools"].append(dict(BASH)), "must be unique"),
        (lambda b: b["tools"][0].update(input_schema={"type": "string"}), '"type": "object"'),
        (lambda b: b["messages"][1]["content"].insert(0, {"type": "text", "text": ""}), "non-whitespace"),
        (lambda b: b["messages"][4].update(content=""), "must not be an empty string"),
        (lambda b: b["messages"][1]["content"].append(use("t1")), "duplicate tool_use id 't1'"),
        (lambda b: b["messages"][2]["content"].insert(1, result("t1")), "duplicate tool_result id 't1'"),
        (lambda b: b["messages"][4].update(content=[result("t1")]), "no tool_use with that id"),
        (lambda b: b["messages"][0].update(role="system"), "must be user or assistant"),
        (lambda b: b["messages"][1]["content"].append({"type": "video"}), "unknown block type 'video'"),
        (lambda b: b["messages"][2]["content"][0].update(content=[{"type": "tool_use"}]), "only text and image"),
        (lambda b: b["messages"][2]["content"][0].update(content="", is_error=True), "cannot be empty"),
        (lambda b: b.update(system=[{"type": "text", "text": " "}]), "system.0"),
        (lambda b: b.update(max_tokens=0), "max_tokens"),
        (lambda b: b.update(model=""), "model"),
        (lambda b: b.update(messages=[]), "non-empty list"),
    ],
)
def test_rejects_what_the_api_rejects(change, needle):
    problems = mutated(change)
    assert any(needle in problem for problem in problems), problems


def test_first_message_must_be_from_the_user():
    body = request({"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Hello"})
    assert check_request(body) == ["messages.0: the first message must have role user, not 'assistant'"]


def test_tool_result_separated_from_its_tool_use_by_another_turn():
    body = exchange()
    body["messages"][2:3] = [{"role": "user", "content": "first this"},
                             {"role": "assistant", "content": "ok"},
                             {"role": "user", "content": [result("t1"), result("t2")]}]
    problems = check_request(body)
    assert any("messages.1: tool_use ['t1', 't2'] has no tool_result" in p for p in problems), problems
    assert any("messages.4: tool_result for ['t1', 't2']" in p for p in problems), problems


def test_at_most_four_cache_breakpoints():
    body = exchange()
    marker = {"type": "ephemeral"}
    body["tools"][0]["cache_control"] = marker
    body["system"] = [{"type": "text", "text": "You are a coding agent.", "cache_control": marker}]
    body["messages"][1]["content"][0]["cache_control"] = marker
    body["messages"][2]["content"][2]["cache_control"] = marker
    assert check_request(body) == []
    body["cache_control"] = marker
    assert check_request(body) == ["found 5 blocks with cache_control; at most 4 are allowed"]


# --- usage and the prompt cache ---------------------------------------------------------------


def with_breakpoint(body):
    body = copy.deepcopy(body)
    last = body["messages"][-1]
    if isinstance(last["content"], str):
        last["content"] = [{"type": "text", "text": last["content"]}]
    last["content"][-1]["cache_control"] = {"type": "ephemeral"}
    return body


def test_second_request_reads_the_prefix_the_first_one_marked():
    cache = PromptCache()
    first = with_breakpoint(request({"role": "user", "content": "List the files and count lines."}))
    second = with_breakpoint(exchange())  # the marker moved to the end, as an agent loop moves it
    one, two = cache.usage_for(first), cache.usage_for(second)

    assert one["cache_read_input_tokens"] == 0
    assert one["cache_creation_input_tokens"] == estimate_request(first)
    assert two["cache_read_input_tokens"] == estimate_request(first)
    parts = two["input_tokens"] + two["cache_read_input_tokens"] + two["cache_creation_input_tokens"]
    assert parts == estimate_request(second)
    assert two["cache_creation_input_tokens"] == estimate_request(second) - estimate_request(first)


def test_no_breakpoint_means_no_cache():
    cache = PromptCache()
    for _ in range(2):
        usage = cache.usage_for(exchange(), output_tokens=7)
        assert usage == {"input_tokens": estimate_request(exchange()), "cache_creation_input_tokens": 0,
                         "cache_read_input_tokens": 0, "output_tokens": 7}


def test_a_changed_system_prompt_invalidates_the_cached_messages():
    cache = PromptCache()
    cache.usage_for(with_breakpoint(exchange()))
    changed = with_breakpoint(exchange())
    changed["system"] = "You are a different agent."
    assert cache.usage_for(changed)["cache_read_input_tokens"] == 0
    assert cache.usage_for(with_breakpoint(exchange()))["cache_read_input_tokens"] == estimate_request(exchange())
