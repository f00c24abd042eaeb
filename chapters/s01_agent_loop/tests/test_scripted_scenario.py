"""Scenario files, the helpers that build replies in code, and `expect` checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from s01_agent_loop.scripted import Expect, Fault, ModelStep, call, load_scenario, say, step

SCENARIO = """\
title: "s01: the agent loop"
intro: "Watch the loop."
steps:
  - user: "List the files here and count the lines of app.py"
  - model:
      text: "Let me look around."
      tool_use:
        - {name: bash, input: {command: "ls"}}
        - {name: bash, input: {command: "wc -l app.py"}}
      expect: {tools: [bash], last_user_contains: "count the lines"}
  - fault: {status: 529, retry_after: 0}
  - model: {text: "app.py has 12 lines.", delay: 0.2}
  - user: "Thanks"
  - model: {text: "You're welcome.", stop_reason: max_tokens}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_scenario(tmp_path):
    scenario = load_scenario(write(tmp_path, SCENARIO))

    assert scenario.title == "s01: the agent loop"
    assert scenario.intro == "Watch the loop."
    assert scenario.prompts == ["List the files here and count the lines of app.py", "Thanks"]
    first, fault, second, third = scenario.replies
    assert [type(r) for r in scenario.replies] == [ModelStep, Fault, ModelStep, ModelStep]
    assert first.stop == "tool_use" and second.stop == "end_turn" and third.stop == "max_tokens"
    assert (fault.status, fault.retry_after, fault.error_type) == (529, 0, "overloaded_error")
    assert second.delay == 0.2
    content = first.content(1)
    assert content[0] == {"type": "text", "text": "Let me look around."}
    assert [b["input"] for b in content[1:]] == [{"command": "ls"}, {"command": "wc -l app.py"}]
    ids = [b["id"] for b in content[1:]]
    assert ids[0] != ids[1] and all(i.startswith("toolu_") for i in ids)
    assert [b["id"] for b in load_scenario(write(tmp_path, SCENARIO)).replies[0].content(1)[1:]] == ids


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ("  - model: {tool_use: [{input: {command: ls}}]}", "steps.0.model.tool_use.0.name"),
        ("  - model: {}", "needs `text`, `tool_use`, or both"),
        ("  - model: {text: hi, colour: red}", "colour"),
        ("  - fault: {status: 418}", "not one of [400, 401, 403, 404, 429, 500, 529]"),
        ("  - fault: {status: 529, cut_stream: true}", "exactly one of"),
        ("  - assistant: hi", "step 0 must be one of `user:`, `idle:`, `model:` or `fault:`"),
        ("  - model: [oops", "not valid YAML"),
    ],
)
def test_malformed_scenario_names_the_file_and_the_problem(tmp_path, steps, needle):
    path = write(tmp_path, f"title: broken\nsteps:\n{steps}\n")
    with pytest.raises(ValueError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    assert needle in str(caught.value)


def test_helpers_build_replies_in_code():
    assert say("done").content(1) == [{"type": "text", "text": "done"}]
    ls = call("bash", command="ls")
    assert ls.stop == "tool_use" and ls.content(3)[0]["input"] == {"command": "ls"}
    both = step("Two at once.", [{"name": "bash", "input": {"command": "ls"}}, {"name": "bash"}],
                expect={"tool_result_contains": "x"})
    assert [b["type"] for b in both.content(1)] == ["text", "tool_use", "tool_use"]
    assert both.expect == Expect(tool_result_contains="x")
    with pytest.raises(ValueError):
        say("   ")


def body_with(last_content, system="You are terse."):
    return {"system": system, "tools": [{"name": "bash"}],
            "messages": [{"role": "user", "content": "go"},
                         {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "bash",
                                                            "input": {}}]},
                         {"role": "user", "content": last_content}]}


def test_expect_reports_expected_and_seen():
    body = body_with([{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "a.py"}]}])
    assert Expect(tools=["bash"], tool_result_contains="a.py", tool_result_is_error=False,
                  system_contains="terse", messages_at_most=3, last_user_contains="a.py").problems(body) == []

    problems = Expect(tools=["bash", "edit_file"], tool_result_contains="b.py", tool_result_is_error=True,
                      system_contains="verbose", messages_at_most=2).problems(body)
    assert problems == [
        "expected the tools ['bash', 'edit_file'] to be offered, saw ['bash']",
        "expected the system prompt to contain 'verbose', saw 'You are terse.'",
        "expected at most 2 messages, saw 3",
        "expected a tool_result to contain 'b.py', saw 'a.py'",
        "expected the first tool_result to have is_error True, saw False",
    ]
    assert Expect(tool_result_contains="a.py").problems(body_with("plain text")) == [
        "expected a tool_result in the last user message, saw 'plain text'"]


def test_expect_tools_absent_fails_when_a_tool_is_offered():
    body = body_with("hi")
    assert Expect(tools_absent=["Task", "edit_file"]).problems(body) == []
    assert Expect(tools=["bash"], tools_absent=["Task", "bash"]).problems(body) == [
        "expected the tools ['Task', 'bash'] not to be offered, saw ['bash']"]


def test_expect_model_names_the_model_requested():
    body = {**body_with("hi"), "model": "claude-main"}
    assert Expect(model="claude-main").problems(body) == []
    assert Expect(model="claude-fallback").problems(body) == [
        "expected the model 'claude-fallback', saw 'claude-main'"]
