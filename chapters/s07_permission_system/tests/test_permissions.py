"""The gate inside the loop: modes, hints, the ask dialog, the no-terminal denial, commands."""

import io
import json

import pytest
from pydantic import BaseModel
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use.harness import Extension, Harness
from s02_tool_use.tools import Tool
from s02_tool_use.wiring import TOOLS
from s07_permission_system import Permissions
from s07_permission_system.ask import ConsoleAsk
from s07_permission_system.commands import set_mode, show_permissions
from s07_permission_system.permissions import default_mode


class Nothing(BaseModel):
    pass


EXTRA = [Tool(name, "test tool", Nothing, lambda args, ctx: "ran") for name in ("TodoWrite", "deploy")]
CALLS = {
    "read": ("read_file", {"path": "a.txt"}),
    "edit": ("write_file", {"path": "b.txt", "content": "x"}),
    "shell": ("bash", {"command": "echo hi"}),
    "internal": ("TodoWrite", {}),
    "unknown": ("deploy", {}),
}


def settle(tmp_path, rules=None):
    (tmp_path / "a.txt").write_text("hello\n", encoding="utf-8")
    if rules:
        (tmp_path / ".claude").mkdir(exist_ok=True)
        (tmp_path / ".claude" / "settings.json").write_text(json.dumps({"permissions": rules}), encoding="utf-8")


def run_calls(tmp_path, calls, permissions, view=None):
    """Each call in its own turn; returns the tool_result blocks in order."""
    script = [reply for name, tool_input in calls for reply in (tool_use(name, **tool_input), text("ok"))]
    model = ScriptedModel(script)
    agent = Harness(model, AgentConfig(model="claude-test"), tmp_path, view or RecordingView(),
                    tools=[*TOOLS, *EXTRA], extensions=[permissions])
    for _ in calls:
        agent.run("go")
    model.assert_done()
    return [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]


@pytest.mark.parametrize("mode, allowed", [
    ("default", {"read", "internal"}),
    ("acceptEdits", {"read", "edit", "internal"}),
    ("plan", {"read", "internal"}),
    ("bypassPermissions", {"read", "edit", "shell", "internal", "unknown"}),
])
def test_each_mode_without_rules_and_without_a_terminal(tmp_path, mode, allowed):
    settle(tmp_path)
    results = run_calls(tmp_path, list(CALLS.values()), Permissions(mode, home=tmp_path / "home"))
    got = {kind for kind, result in zip(CALLS, results, strict=True) if not result.get("is_error")}
    assert got == allowed
    refusal = results[list(CALLS).index("shell")]["content"]
    if mode == "plan":
        assert "plan mode" in refusal
    elif mode != "bypassPermissions":
        assert "no terminal to ask in" in refusal and "no allow rule matches `echo hi`" in refusal
    if mode == "default":
        assert "default mode asks before edits" in results[list(CALLS).index("edit")]["content"]


def test_a_denial_names_the_rule_and_the_file_and_the_user_sees_it(tmp_path):
    settle(tmp_path, {"deny": ["Bash(rm:*)"]})
    view = RecordingView()
    [result] = run_calls(tmp_path, [("bash", {"command": "rm -rf build"})], Permissions(home=tmp_path / "home"), view)
    assert result["is_error"] is True
    assert result["content"] == (
        "Permission to use bash with command `rm -rf build` was denied by the rule Bash(rm:*) in "
        ".claude/settings.json. Do not try to work around this; ask the user or choose another approach.")
    assert any("permission denied" in t and "Bash(rm:*)" in t for t in view.texts)


def test_hints_from_a_hook_allow_or_ask_but_never_beat_deny_or_plan(tmp_path):
    settle(tmp_path, {"allow": ["Bash(echo:*)"], "deny": ["Bash(rm:*)"]})
    gate = Permissions(home=tmp_path / "home")

    class Hook(Extension):  # stands in for s08: it runs first and leaves a hint
        def __init__(self, verdicts):
            self.verdicts = verdicts

        def pre_tool_use(self, agent, call):
            gate.hint(call.id, self.verdicts.pop(0))

    calls = [("bash", {"command": "touch x"}), ("bash", {"command": "echo hi"}), ("bash", {"command": "rm x"})]
    model = ScriptedModel([r for c in calls for r in (tool_use(c[0], **c[1]), text("ok"))])
    agent = Harness(model, AgentConfig(model="m"), tmp_path, RecordingView(), tools=TOOLS,
                    extensions=[Hook(["allow", "ask", "allow"]), gate])
    for _ in calls:
        agent.run("go")
    results = [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]
    assert [bool(r.get("is_error")) for r in results] == [False, True, True]
    assert (tmp_path / "x").exists()
    assert "a PreToolUse hook asks" in results[1]["content"] and "Bash(rm:*)" in results[2]["content"]
    assert gate.hints == {}


def asking(tmp_path, answers: str):
    console = Console(file=io.StringIO(), width=120)
    return Permissions(home=tmp_path / "home", ask=ConsoleAsk(console, stream=io.StringIO(answers))), console


def test_ask_allow_once_asks_again_next_time(tmp_path):
    settle(tmp_path)
    gate, console = asking(tmp_path, "1\nn\n\n")
    results = run_calls(tmp_path, [("bash", {"command": "echo one"}), ("bash", {"command": "echo two"})], gate)
    assert results[0]["content"] == "one" and results[1]["is_error"] is True
    assert results[1]["content"].startswith("The user denied permission to use bash with command `echo two`.")
    shown = console.file.getvalue()
    assert shown.count("permission needed") == 2 and "don't ask again this session for Bash(echo two:*)" in shown


def test_ask_allow_always_remembers_the_rule_for_the_session(tmp_path):
    settle(tmp_path)
    gate, console = asking(tmp_path, "2\n")
    results = run_calls(tmp_path, [("bash", {"command": "echo one"}), ("bash", {"command": "echo one more"})], gate)
    assert [r["content"] for r in results] == ["one", "one more"]
    assert [str(r) for r in gate.session_rules] == ["Bash(echo one:*)"]
    assert console.file.getvalue().count("permission needed") == 1
    assert not (tmp_path / ".claude" / "settings.local.json").exists()


def test_ask_allow_always_and_save_writes_settings_local_json(tmp_path):
    settle(tmp_path)
    gate, _ = asking(tmp_path, "3\n")
    [result] = run_calls(tmp_path, [("write_file", {"path": "notes/b.txt", "content": "x"})], gate)
    assert not result.get("is_error")
    saved = json.loads((tmp_path / ".claude" / "settings.local.json").read_text(encoding="utf-8"))
    assert saved == {"permissions": {"allow": ["Edit(./notes/b.txt)"]}}


def test_ask_deny_passes_the_users_reason_to_the_model(tmp_path):
    settle(tmp_path, {"ask": ["Bash(git push:*)"]})
    gate, console = asking(tmp_path, "x\n2\nopen a pull request instead\n")
    [result] = run_calls(tmp_path, [("bash", {"command": "git push origin main"})], gate)
    assert result["is_error"] is True
    assert result["content"] == ("The user denied permission to use bash with command `git push origin main`. "
                                 "They said: open a pull request instead")
    shown = console.file.getvalue()
    assert "type a number from 1 to 2" in shown  # an ask rule: "always" would not help, so it is not offered
    assert "why: the rule Bash(git push:*) in .claude/settings.json" in shown


def test_end_of_input_at_the_ask_denies(tmp_path):
    settle(tmp_path)
    gate, _ = asking(tmp_path, "")
    [result] = run_calls(tmp_path, [("bash", {"command": "echo hi"})], gate)
    assert result["is_error"] is True and "The user denied" in result["content"]


def test_later_chapters_register_their_tools_kind(tmp_path):
    settle(tmp_path)
    gate = Permissions("plan", home=tmp_path / "home")
    gate.kinds["deploy"] = "internal"
    assert not run_calls(tmp_path, [("deploy", {})], gate)[0].get("is_error")
    assert gate.for_subagent() is gate


def test_grep_and_glob_leave_out_files_a_deny_rule_hides(tmp_path):
    settle(tmp_path, {"deny": ["Read(./secrets/**)"]})
    for name in ("secrets/key.txt", "src/app.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("TOKEN = 1\n", encoding="utf-8")
    grep, glob = run_calls(tmp_path, [("grep", {"pattern": "TOKEN"}), ("glob", {"pattern": "**/*"})],
                           Permissions(home=tmp_path / "home"))
    assert grep["content"] == "src/app.py:1:TOKEN = 1\n[1 results in files that deny rules hide were left out]"
    assert "secrets" not in glob["content"].split("[")[0] and "src/app.py" in glob["content"]


def test_mode_and_permissions_commands(tmp_path):
    settle(tmp_path, {"allow": ["Bash(ls:*)"], "deny": ["Read(./secrets/**)"]})
    gate = Permissions(home=tmp_path / "home")
    agent = Harness(ScriptedModel([]), AgentConfig(model="m"), tmp_path, tools=TOOLS, extensions=[gate])
    console = Console(file=io.StringIO(), width=120)
    set_mode(agent, "", console)
    set_mode(agent, "plan", console)
    set_mode(agent, "sideways", console)
    show_permissions(agent, "", console)
    out = console.file.getvalue()
    assert gate.mode == "plan"
    assert "● default" in out and "mode: plan (read-only" in out and "unknown mode 'sideways'" in out
    assert out.index("Read(./secrets/**)") < out.index("Bash(ls:*)") and ".claude/settings.json" in out


def test_default_mode_comes_from_the_most_specific_settings_file(tmp_path):
    settle(tmp_path, {"defaultMode": "acceptEdits"})
    assert default_mode(tmp_path, home=tmp_path / "nohome") == "acceptEdits"
    (tmp_path / ".claude" / "settings.local.json").write_text('{"permissions": {"defaultMode": "nope"}}')
    assert default_mode(tmp_path, home=tmp_path / "nohome") == "acceptEdits"
    with pytest.raises(ValueError, match="choose one of default, acceptEdits, plan, bypassPermissions"):
        Permissions("sideways")
