"""The gate inside the loop: modes, hints, the ask dialog, the no-terminal denial, commands."""

import io
import json

import pytest
from pydantic import BaseModel
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, slash
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Extension, Harness, HarnessConfig, Verdict
from s02_tool_use.tools import Tool
from s02_tool_use.wiring import TOOLS
from s07_permission_system import Permissions
from s07_permission_system.ask import ConsoleAsk
from s07_permission_system.permissions import default_mode


class Nothing(BaseModel):
    pass


EXTRA = [Tool("TodoWrite", "test tool", Nothing, lambda args, ctx: "ran", kind="internal"),
         Tool("deploy", "test tool", Nothing, lambda args, ctx: "ran")]  # no kind declared: asked
CALLS = {
    "read": ("read_file", {"path": "a.txt"}),
    "edit": ("write_file", {"path": "b.txt", "content": "x"}),
    "shell": ("bash", {"command": "touch made.txt"}),
    "internal": ("TodoWrite", {}),
    "unknown": ("deploy", {}),
}


def settle(tmp_path, rules=None):
    (tmp_path / "a.txt").write_text("hello\n", encoding="utf-8")
    if rules:
        (tmp_path / ".claude").mkdir(exist_ok=True)
        (tmp_path / ".claude" / "settings.json").write_text(json.dumps({"permissions": rules}), encoding="utf-8")


def run_calls(tmp_path, calls, permissions, view=None, mode="default", tools=()):
    """Each call in its own turn; returns the tool_result blocks in order."""
    script = [reply for name, tool_input in calls for reply in (tool_use(name, **tool_input), text("ok"))]
    model = ScriptedModel(script)
    agent = Harness(model, HarnessConfig(model="claude-test", permission_mode=mode), tmp_path,
                    view or RecordingView(), tools=[*TOOLS, *EXTRA, *tools], extensions=[permissions])
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
    results = run_calls(tmp_path, list(CALLS.values()), Permissions(home=tmp_path / "home"), mode=mode)
    got = {kind for kind, result in zip(CALLS, results, strict=True) if not result.get("is_error")}
    assert got == allowed
    refusal = results[list(CALLS).index("shell")]["content"]
    if mode == "plan":
        assert "plan mode" in refusal
    elif mode != "bypassPermissions":
        assert "no terminal to ask in" in refusal and "no allow rule matches `touch made.txt`" in refusal
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


def test_a_hooks_allow_settles_only_the_default_ask_and_its_ask_always_asks(tmp_path):
    settle(tmp_path, {"allow": ["Bash(echo:*)"], "ask": ["Bash(git push:*)"], "deny": ["Bash(rm:*)"]})
    gate = Permissions(home=tmp_path / "home")

    class Hook(Extension):  # stands in for s08: it knows nothing of the gate, it only gives a verdict
        def __init__(self, verdicts):
            self.verdicts = verdicts

        def pre_tool_use(self, agent, call):
            return Verdict(self.verdicts.pop(0), "a PreToolUse hook says so")

    calls = [("bash", {"command": "touch x"}), ("bash", {"command": "echo hi"}), ("bash", {"command": "rm x"}),
             ("bash", {"command": "git push"})]
    model = ScriptedModel([r for c in calls for r in (tool_use(c[0], **c[1]), text("ok"))])
    agent = Harness(model, AgentConfig(model="m"), tmp_path, RecordingView(), tools=TOOLS,
                    extensions=[Hook(["allow", "ask", "allow", "allow"]), gate])
    for _ in calls:
        agent.run("go")
    results = [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]
    # allowed past the default ask; asked although a rule allows; a deny rule; an ask rule
    assert [bool(r.get("is_error")) for r in results] == [False, True, True, True]
    assert (tmp_path / "x").exists()
    assert "a PreToolUse hook says so" in results[1]["content"] and "Bash(rm:*)" in results[2]["content"]
    assert "Bash(git push:*)" in results[3]["content"] and "no terminal to ask in" in results[3]["content"]


def test_plan_mode_refuses_even_what_a_hook_allows(tmp_path):
    settle(tmp_path)

    class AllowAll(Extension):
        def pre_tool_use(self, agent, call):
            return Verdict("allow", "a hook allows everything")

    [result] = run_calls(tmp_path, [("bash", {"command": "touch y"})], Permissions(home=tmp_path / "home"),
                         mode="plan", tools=[])
    assert result["is_error"] and "plan mode" in result["content"]
    model = ScriptedModel([tool_use("bash", command="touch y"), text("ok")])
    agent = Harness(model, HarnessConfig(model="m", permission_mode="plan"), tmp_path, tools=TOOLS,
                    extensions=[AllowAll(), Permissions(home=tmp_path / "home")])
    agent.run("go")
    assert not (tmp_path / "y").exists()


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
    assert shown.count("permission needed") == 2 and "don't ask again this session for Bash(echo:*)" in shown


def test_ask_allow_always_remembers_the_rule_for_the_session(tmp_path):
    settle(tmp_path)
    gate, console = asking(tmp_path, "2\n")
    results = run_calls(tmp_path, [("bash", {"command": "echo one"}), ("bash", {"command": "echo two"})], gate)
    assert [r["content"] for r in results] == ["one", "two"]
    assert [str(r) for r in gate.session_rules] == ["Bash(echo:*)"]  # the program, as Claude Code suggests
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


def test_a_tool_declared_in_a_test_is_checked_by_its_own_kind_and_path(tmp_path):
    """No edit of s07: a later chapter's tool says what it is, where it is defined."""

    class Where(BaseModel):
        where: str = "."

    settle(tmp_path, {"deny": ["Read(./secrets/**)"]})
    (tmp_path / "secrets").mkdir()
    tools = [Tool("deploy_state", "internal", Nothing, lambda a, c: "ran", kind="internal"),
             Tool("peek", "reads", Where, lambda a, c: f"peeked {a.where}", kind="read", path_arg="where"),
             Tool("mutate", "edits", Where, lambda a, c: "changed", kind="edit", path_arg="where")]
    gate = Permissions(home=tmp_path / "home")
    calls = [("deploy_state", {}), ("peek", {"where": "src"}), ("peek", {"where": "secrets/k"}),
             ("mutate", {"where": "a.txt"})]
    plan = run_calls(tmp_path, calls, gate, mode="plan", tools=tools)
    assert [bool(r.get("is_error")) for r in plan] == [False, False, True, True]
    assert "Read(./secrets/**)" in plan[2]["content"] and "plan mode" in plan[3]["content"]
    edits = run_calls(tmp_path, [("mutate", {"where": "a.txt"})], gate, mode="acceptEdits", tools=tools)
    assert edits[0]["content"] == "changed"
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
    slash(agent, "/mode", console)
    slash(agent, "/mode plan", console)
    slash(agent, "/mode sideways", console)
    slash(agent, "/permissions", console)
    out = console.file.getvalue()
    assert agent.config.permission_mode == "plan"
    assert "● default" in out and "mode: plan (read-only" in out and "unknown mode 'sideways'" in out
    assert out.index("Read(./secrets/**)") < out.index("Bash(ls:*)") and ".claude/settings.json" in out


def test_default_mode_comes_from_the_most_specific_settings_file(tmp_path):
    settle(tmp_path, {"defaultMode": "acceptEdits"})
    assert default_mode(tmp_path, home=tmp_path / "nohome")[0] == "acceptEdits"
    (tmp_path / ".claude" / "settings.local.json").write_text('{"permissions": {"defaultMode": "plan"}}')
    mode, file = default_mode(tmp_path, home=tmp_path / "nohome")
    assert (mode, file.scope) == ("plan", "local")
    with pytest.raises(ValueError, match="'default', 'acceptEdits', 'plan' or 'bypassPermissions'"):
        HarnessConfig(model="m", permission_mode="sideways")


def test_plan_mode_lets_a_tool_that_declares_it_only_reads_be_asked_not_refused(tmp_path):
    """An MCP tool (s19) has no kind, so default mode asks; in plan mode one whose server says it
    changes nothing is asked like in default mode, and one that may change something is refused."""
    from s02_tool_use.tools import AnyInput

    settle(tmp_path, {"allow": ["mcp__notes__look"]})
    look = Tool("mcp__notes__look", "Reads.", AnyInput, lambda args, ctx: "seen", read_only=True)
    touch = Tool("mcp__notes__touch", "Writes.", AnyInput, lambda args, ctx: "touched")
    allowed, refused = run_calls(tmp_path, [("mcp__notes__look", {}), ("mcp__notes__touch", {})],
                                 Permissions(home=tmp_path / "home"), mode="plan", tools=[look, touch])
    assert allowed["content"] == "seen" and not allowed.get("is_error")
    assert refused["is_error"] and "plan mode" in refused["content"]


def test_rules_added_from_another_source_join_the_settings_files_deny_first(tmp_path):
    from s07_permission_system.validation import checked_rule

    settle(tmp_path, {"allow": ["Bash(touch:*)", "Bash(ls:*)"]})
    gate = Permissions(home=tmp_path / "home")
    gate.add_rules([checked_rule("Bash(touch:*)", "deny", "command line"),
                    checked_rule("Bash(git status:*)", "allow", "command line")])
    results = run_calls(tmp_path, [("bash", {"command": "touch made.txt"}), ("bash", {"command": "ls"}),
                                   ("bash", {"command": "git status"}), ("bash", {"command": "rm a.txt"})], gate)
    assert [bool(r.get("is_error")) for r in results] == [True, False, False, True]
    # the gate keeps what it refused, by tool_use id: the deny rule's and the ask with no terminal
    assert list(gate.denied) == [results[0]["tool_use_id"], results[3]["tool_use_id"]]
    assert [call.input["command"] for call in gate.denied.values()] == ["touch made.txt", "rm a.txt"]
    assert "Bash(touch:*) in command line" in results[0]["content"]  # the deny is cited with its source
    assert not (tmp_path / "made.txt").exists()
    console = Console(file=io.StringIO(), width=120)
    slash(Harness(ScriptedModel([]), AgentConfig(model="m"), tmp_path, tools=TOOLS, extensions=[gate]),
          "/permissions", console)
    shown = [line.split() for line in console.file.getvalue().splitlines()]
    assert ["deny", "Bash(touch:*)", "command", "line"] in shown and ["allow", "Bash(ls:*)", ".claude/settings.json"] in shown
    for bad, problem in [("Bash(rm:*", "is not a rule"), ("bash(ls)", "did you mean 'Bash'")]:
        with pytest.raises(ValueError, match=problem):
            checked_rule(bad, "allow", "command line")
