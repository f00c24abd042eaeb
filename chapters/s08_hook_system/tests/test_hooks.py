"""Hooks in the loop: every event through the real harness, real tools and real hook scripts, with
the in-process scripted model."""

import json
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, slash
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Extension, Harness, HarnessConfig
from s02_tool_use.harness import PromptBlocked
from s02_tool_use.wiring import TOOLS
from s04_subagent.subagents import Subagents
from s07_permission_system.permissions import Permissions
from s08_hook_system import Hooks

CONFIG = AgentConfig(model="claude-test")


class RecordingHooks(Hooks):
    """s08's hooks, keeping the verdict they gave each call."""

    def __init__(self, home):
        super().__init__(home=home)
        self.seen: list[tuple[str, str | None]] = []

    def pre_tool_use(self, agent, call):
        verdict = super().pre_tool_use(agent, call)
        self.seen.append((call.id, verdict.behavior if verdict else None))
        return verdict


def agent_with(tmp_path, script, *extensions, mode="default"):
    model = ScriptedModel(script)
    agent = Harness(model, HarnessConfig(model="claude-test", permission_mode=mode), tmp_path, RecordingView(),
                    tools=TOOLS, extensions=extensions)
    agent.use(RecordingHooks(home=tmp_path / "home"), before=Permissions)
    return agent, model


def results(agent) -> list[dict]:
    """The tool_results of the latest user message that has any."""
    for msg in reversed(agent.messages):
        found = [b for b in msg["content"] if b["type"] == "tool_result"] if msg["role"] == "user" else []
        if found:
            return found
    return []


# --- PreToolUse ------------------------------------------------------------------------------


def test_exit_2_blocks_the_call_and_the_reason_is_its_error_result(tmp_path, hook, settings, on):
    settings({"PreToolUse": on(hook("print('protected', file=sys.stderr); sys.exit(2)"), "write_file")})
    agent, model = agent_with(tmp_path, [tool_use("write_file", path="x.txt", content="x"), text("ok")])
    assert agent.run("write x") == "ok"
    assert not (tmp_path / "x.txt").exists()
    [result] = results(agent)
    assert result["is_error"] is True
    assert result["content"].startswith("Blocked by the PreToolUse[write_file] hook `") and "protected" in result["content"]
    model.assert_done()


def test_a_json_deny_blocks_and_a_matcher_that_does_not_match_never_runs(tmp_path, hook, settings, on, events):
    deny = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                   "permissionDecisionReason": "no pushing"}}
    settings({"PreToolUse": on(hook(f"print(json.dumps({deny!r}))"), "bash")})
    batch = message(tool_use("write_file", path="a.txt", content="a"), tool_use("bash", command="echo pushed"))
    agent, _ = agent_with(tmp_path, [batch, text("ok")])
    agent.run("go")
    written, pushed = results(agent)
    assert (tmp_path / "a.txt").exists() and not written.get("is_error")
    assert pushed["is_error"] is True and pushed["content"].endswith(": no pushing")
    assert [e["tool_name"] for e in events() if e["hook_event_name"] == "PreToolUse"] == ["bash"]


def test_updated_input_replaces_the_input_and_is_still_validated(tmp_path, hook, settings, on):
    body = """
    new = {"command": "echo rewritten"} if event["tool_input"]["command"] == "echo original" else {"cmd": 1}
    print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse", "updatedInput": new}}))
    """
    settings({"PreToolUse": on(hook(body), "bash")})
    batch = message(tool_use("bash", command="echo original"), tool_use("bash", command="echo other"))
    agent, _ = agent_with(tmp_path, [batch, text("ok")])
    agent.run("go")
    rewritten, invalid = results(agent)
    assert rewritten["content"] == "rewritten"
    assert invalid["is_error"] is True and invalid["content"].startswith("Invalid input for bash")


def test_allow_and_ask_are_the_hooks_verdict_and_ask_wins(tmp_path, hook, settings, on):
    def decide(decision):
        return hook(f"print(json.dumps({{'hookSpecificOutput': {{'permissionDecision': {decision!r}}}}}))")

    settings({"PreToolUse": on(decide("allow"), "bash") + on([decide("allow"), decide("ask")], "read_file")})
    (tmp_path / "f.txt").write_text("hi\n")
    batch = message(tool_use("bash", command="echo a"), tool_use("read_file", path="f.txt"))
    agent, _ = agent_with(tmp_path, [batch, text("ok")], Permissions(), mode="bypassPermissions")
    agent.run("go")
    ids = [block["id"] for block in agent.messages[1]["content"]]
    assert Hooks.of(agent).seen == [(ids[0], "allow"), (ids[1], "ask")]
    # the folded ask has no terminal to ask in: denied, although bypass mode would have allowed it
    assert [bool(r.get("is_error")) for r in results(agent)] == [False, True]


def test_hooks_import_nothing_of_the_permission_gate():
    """A hook's allow and a permission deny meet only in the harness's fold (s02)."""
    import s08_hook_system

    package = Path(s08_hook_system.__file__).parent
    for module in package.glob("*.py"):
        if module.name != "wiring.py":  # the wiring names the gate to plug hooks in ahead of it
            assert "s07_permission_system" not in module.read_text(encoding="utf-8"), module.name


@pytest.mark.skipif(Permissions.pre_tool_use is Extension.pre_tool_use, reason="s07's permission gate is still a stub")
def test_a_hook_allow_never_overrides_a_deny_rule(tmp_path, hook, settings, on):
    allow = hook("print(json.dumps({'hookSpecificOutput': {'permissionDecision': 'allow'}}))")
    path = settings({"PreToolUse": on(allow, "bash")})
    data = json.loads(path.read_text()) | {"permissions": {"deny": ["Bash(rm:*)"]}}
    path.write_text(json.dumps(data))
    (tmp_path / "keep.txt").write_text("keep")
    agent, _ = agent_with(tmp_path, [tool_use("bash", command="rm keep.txt"), text("ok")], Permissions())
    agent.run("go")
    assert (tmp_path / "keep.txt").exists() and results(agent)[0]["is_error"] is True


# --- PostToolUse -----------------------------------------------------------------------------


def test_post_tool_use_feedback_is_appended_to_the_result_after_the_tool_ran(tmp_path, hook, settings, on, events):
    context = {"hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": "lint: clean"}}
    settings({"PostToolUse": on([hook(f"print(json.dumps({context!r}))"),
                                 hook("print('2 files changed', file=sys.stderr); sys.exit(2)")], "write_file|read_file")})
    batch = message(tool_use("write_file", path="n.txt", content="new"), tool_use("read_file", path="missing.txt"))
    agent, _ = agent_with(tmp_path, [batch, text("ok")])
    agent.run("go")
    written, missing = results(agent)
    assert (tmp_path / "n.txt").read_text() == "new"
    assert "lint: clean" in written["content"] and "2 files changed" in written["content"]
    assert written["content"].index("lint: clean") > written["content"].index("n.txt")
    assert missing["is_error"] is True and "lint" not in missing["content"]  # not run after a failure
    post = [e for e in events() if e["hook_event_name"] == "PostToolUse"]
    assert [e["tool_name"] for e in post] == ["write_file", "write_file"]
    assert post[0]["tool_input"] == {"path": "n.txt", "content": "new"} and "n.txt" in post[0]["tool_response"]


# --- UserPromptSubmit, SessionStart, Stop --------------------------------------------------------


def test_user_prompt_submit_blocks_a_prompt_or_adds_context(tmp_path, hook, settings, on):
    body = """
    if "password" in event["prompt"]:
        print(json.dumps({"decision": "block", "reason": "no secrets in prompts"}))
    else:
        print("branch: main")
    """
    settings({"UserPromptSubmit": on(hook(body)), "SessionStart": on(hook("print('session context')"))})
    agent, model = agent_with(tmp_path, [text("ok")])
    with pytest.raises(PromptBlocked, match="no secrets in prompts"):
        agent.run("my password is hunter2")
    assert model.calls == []
    agent.run("hello")
    sent = [b["text"] for b in model.calls[0]["messages"][0]["content"]]
    assert sent == ["session context", "branch: main", "hello"]


def test_stop_keeps_the_model_going_and_stop_hook_active_lets_it_stop(tmp_path, hook, settings, on, events):
    body = """
    if not event["stop_hook_active"]:
        print("Run the tests first.", file=sys.stderr)
        sys.exit(2)
    """
    settings({"Stop": on(hook(body))})
    agent, model = agent_with(tmp_path, [text("done?"), text("tests pass, done")])
    assert agent.run("work") == "tests pass, done"
    assert model.calls[1]["messages"][-1]["content"][-1]["text"] == "Run the tests first."
    assert [e["stop_hook_active"] for e in events()] == [False, True]
    model.assert_done()


def test_every_hook_gets_the_common_fields_and_one_session_id(tmp_path, hook, settings, on, events):
    every = hook()
    settings({event: on(every) for event in ("SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                                             "Stop", "PreCompact")})
    agent, _ = agent_with(tmp_path, [tool_use("bash", command="echo hi"), text("ok")], Permissions(),
                          mode="bypassPermissions")
    agent.run("go")
    agent.emit("PreCompact", trigger="manual", focus="keep the numbers")
    got = events()
    assert [e["hook_event_name"] for e in got] == ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                                                   "Stop", "PreCompact"]
    assert {e["session_id"] for e in got} == {Hooks.of(agent).session_id}
    assert {(e["cwd"], e["transcript_path"], e["permission_mode"]) for e in got} == {
        (str(tmp_path), None, "bypassPermissions")}
    assert got[0]["source"] == "startup" and got[1]["prompt"] == "go" and got[2]["tool_input"] == {"command": "echo hi"}
    assert got[5]["trigger"] == "manual" and got[5]["custom_instructions"] == "keep the numbers"


def test_a_broken_hook_is_shown_to_the_user_and_the_agent_goes_on(tmp_path, hook, settings, on):
    settings({"PreToolUse": on(hook("print('oops', file=sys.stderr); sys.exit(1)"), "bash")})
    agent, _ = agent_with(tmp_path, [tool_use("bash", command="echo still ran"), text("ok")])
    agent.run("go")
    assert results(agent)[0]["content"] == "still ran"
    errors = [t for t in agent.view.texts if "hook error" in t]
    assert len(errors) == 1 and "PreToolUse[bash] hook" in errors[0] and "exit code 1:\n  oops" in errors[0]


# --- subagents, the snapshot, /hooks ----------------------------------------------------------


def test_hooks_guard_a_subagents_tools_and_its_end_is_subagent_stop(tmp_path, hook, settings, on, events):
    settings({"PreToolUse": on(hook("print('not in a subagent', file=sys.stderr); sys.exit(2)"), "bash"),
              "UserPromptSubmit": on(hook()), "Stop": on(hook()),
              "SubagentStop": on(hook("print(json.dumps({'decision': 'block', 'reason': 'more detail'}))"))})
    script = [tool_use("Task", description="look", prompt="run ls"), tool_use("bash", command="ls"),
              text("child blocked"), text("parent done")]
    agent, model = agent_with(tmp_path, script, Subagents())
    assert agent.run("delegate") == "parent done"
    assert "not in a subagent" in model.calls[2]["messages"][-1]["content"][0]["content"]
    assert [e["hook_event_name"] for e in events()] == ["UserPromptSubmit", "PreToolUse", "SubagentStop", "Stop"]
    assert events()[2]["agent_type"] == "general-purpose"
    assert any("would keep the subagent going" in t and "more detail" in t for t in agent.view.texts)


def test_settings_are_a_snapshot_until_slash_hooks_reads_them_again(tmp_path, hook, settings, on, events):
    settings({"Stop": on(hook())})
    agent, _ = agent_with(tmp_path, [text("one"), text("two"), text("three")])
    agent.run("first")
    settings({"Stop": on([hook(), hook()], timeout=7)})
    agent.run("second")
    assert len(events()) == 2  # the file changed, the snapshot did not
    out = StringIO()
    slash(agent, "/hooks", Console(file=out, width=200))
    listing = out.getvalue()
    assert listing.count("Stop") == 2 and "timeout 7s" in listing and "project: .claude/settings.json" in listing
    agent.run("third")
    assert len(events()) == 4


def test_a_later_chapters_event_gets_its_data_and_exit_2_blocks_it(tmp_path, hook, settings, on, events):
    """TaskCompleted (s17), TeammateIdle, WorktreeCreate...: the data of `emit` is the hook's input."""
    settings({"TaskCompleted": on(hook("print('the tests fail', file=sys.stderr); sys.exit(2)")),
              "SessionEnd": on(hook())})
    agent, _ = agent_with(tmp_path, [text("ok")])
    agent.run("hi")
    outcome = agent.emit("TaskCompleted", task_id="3", task_subject="Fix the median", teammate_name="alice")
    assert outcome.block == "the tests fail"
    agent.close()
    sent = {event["hook_event_name"]: event for event in events()}
    assert sent["TaskCompleted"]["task_id"] == "3" and sent["TaskCompleted"]["teammate_name"] == "alice"
    assert sent["SessionEnd"]["reason"] == "exit"
