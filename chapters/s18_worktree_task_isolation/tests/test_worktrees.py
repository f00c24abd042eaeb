"""The lanes in the agent: the four tools, the gate and the hooks around them, a subagent isolated
in a lane of its own, pruning at start. Real git in a temporary repository; a scripted model."""

from __future__ import annotations

import json
import shutil
import sys

from s01_agent_loop.cli.testing import RecordingView, build_agent, system_text
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use.tools import ToolContext
from s18_worktree_task_isolation.wiring import CHAPTER

from .conftest import STATS, results, sh

FIXED = STATS.replace("return ordered[len(ordered) // 2]", "return ordered[(len(ordered) - 1) // 2]")


def agent_of(workdir, script, mode="bypassPermissions"):
    model, view = ScriptedModel(script), RecordingView()
    return build_agent(CHAPTER, workdir, model, "--permission-mode", mode, view=view), model, view


CWD_HOOK = """import json, pathlib, sys
event = json.load(sys.stdin)
with open(pathlib.Path(sys.argv[1]), "a") as log:
    log.write(event["cwd"] + "\\n")
"""


def settings(workdir, data: dict) -> None:
    (workdir / ".claude").mkdir(exist_ok=True)
    (workdir / ".claude" / "settings.json").write_text(json.dumps(data), encoding="utf-8")


def test_create_run_list_and_keep_through_the_tools_and_an_unknown_task_refused(repo):
    agent, model, _ = agent_of(repo, [
        tool_use("TaskCreate", subject="Fix the median"),
        tool_use("WorktreeCreate", name="median", task_id="7"),
        tool_use("WorktreeCreate", name="median", task_id="#1"),
        tool_use("WorktreeRun", name="median", command="pwd; git branch --show-current"),
        tool_use("WorktreeList"),
        tool_use("WorktreeCloseout", name="median", action="keep"),
        text("Kept."),
    ])
    assert agent.run("make a lane") == "Kept."
    refused = results(model, 2)[0]
    assert refused["is_error"] and refused["content"].startswith("No task has the id '7'.")
    assert "the tasks are: 1: Fix the median." in refused["content"]  # s12's own list
    assert results(model, 3)[0]["content"].startswith("Lane median is ready for task #1 (Fix the median): "
                                                      ".harness/worktrees/median, on the branch lane/median")
    lane = repo / ".harness" / "worktrees" / "median"
    assert results(model, 4)[0]["content"] == f"{lane}\nlane/median"
    assert "- median [active] lane/median: 0 commits to merge, clean; task #1 Fix the median" in results(model, 5)[0]["content"]
    assert results(model, 6)[0]["content"].startswith("Lane median is kept on disk")
    assert "- median [kept]" in agent.tools.call("WorktreeList", {}, ToolContext(repo, agent)).content


def test_a_deny_rule_stops_a_worktree_run_as_it_stops_bash_and_bash_hooks_run_in_the_lane(repo):
    (repo.parent / "cwd_hook.py").write_text(CWD_HOOK, encoding="utf-8")
    log = repo.parent / "cwds.txt"
    hook = {"type": "command", "command": f'"{sys.executable}" "{repo.parent / "cwd_hook.py"}" "{log}"'}
    settings(repo, {"permissions": {"allow": ["Bash(ls:*)"], "deny": ["Bash(rm:*)"]},
                    "hooks": {"PreToolUse": [{"matcher": "bash", "hooks": [hook]}]}})
    agent, model, view = agent_of(repo, [
        tool_use("TaskCreate", subject="Tidy"),
        tool_use("WorktreeCreate", name="tidy", task_id="1"),
        tool_use("WorktreeRun", name="tidy", command="ls && rm -f notes.txt"),
        tool_use("WorktreeRun", name="tidy", command="ls"),
        text("Denied, as it should be."),
    ], mode="default")
    agent.run("tidy up")
    denied = results(model, 3)[0]
    assert denied["is_error"] and "bash with command `ls && rm -f notes.txt` was denied by the rule Bash(rm:*)" in \
        denied["content"]
    assert (repo / ".harness" / "worktrees" / "tidy" / "notes.txt").exists()
    assert "✗ permission denied: the rule Bash(rm:*) in .claude/settings.json" in view.texts
    assert "notes.txt" in results(model, 4)[0]["content"] and not results(model, 4)[0].get("is_error")
    lane = repo / ".harness" / "worktrees" / "tidy"
    assert log.read_text(encoding="utf-8") == f"{lane}\n{lane}\n"  # a `bash` PreToolUse hook, run in the lane


HOOK = """import json, pathlib, sys
event = json.load(sys.stdin)
pathlib.Path(event["hook_event_name"] + ".json").write_text(json.dumps(event))
if event.get("name") == "blocked":
    print("no lane called blocked, please", file=sys.stderr)
    sys.exit(2)
"""


def test_worktree_create_and_remove_hooks_get_the_lane_and_may_refuse(repo):
    (repo / "hook.py").write_text(HOOK, encoding="utf-8")
    command = {"type": "command", "command": f'"{sys.executable}" "{repo / "hook.py"}"'}
    settings(repo, {"hooks": {"WorktreeCreate": [{"hooks": [command]}], "WorktreeRemove": [{"hooks": [command]}]}})
    agent, model, _ = agent_of(repo, [
        tool_use("TaskCreate", subject="Try"),
        tool_use("WorktreeCreate", name="blocked", task_id="1"),
        tool_use("WorktreeCreate", name="fine", task_id="1"),
        tool_use("WorktreeCloseout", name="fine", action="remove"),
        text("Done."),
    ])
    agent.run("lanes")
    refused = results(model, 2)[0]
    assert refused["is_error"] and refused["content"] == "A WorktreeCreate hook refused: no lane called blocked, please"
    assert not (repo / ".harness" / "worktrees" / "blocked").exists() and "lane/blocked" not in sh(repo, "branch")
    removed = json.loads((repo / "WorktreeRemove.json").read_text(encoding="utf-8"))
    assert removed["name"] == "fine" and removed["worktree_path"] == str(repo / ".harness" / "worktrees" / "fine")
    assert removed["branch"] == "lane/fine" and removed["task_id"] == "1" and removed["cwd"] == str(repo)
    assert not (repo / ".harness" / "worktrees" / "fine").exists()


FIXER = """---
name: fixer
description: Fixes one bug in a worktree of its own.
isolation: worktree
---
Fix the bug you are given and commit the fix.
"""


def test_an_isolated_subagent_edits_its_lane_under_rules_and_hooks_anchored_there(repo):
    (repo / ".claude" / "agents").mkdir(parents=True)
    (repo / ".claude" / "agents" / "fixer.md").write_text(FIXER, encoding="utf-8")
    (repo.parent / "cwd_hook.py").write_text(CWD_HOOK, encoding="utf-8")
    log = repo.parent / "cwds.txt"
    hook = {"type": "command", "command": f'"{sys.executable}" "{repo.parent / "cwd_hook.py"}" "{log}"'}
    # default mode and no terminal: only what a rule allows runs; `./stats.py` is anchored at the work dir
    settings(repo, {"permissions": {"allow": ["Edit(./stats.py)", "Bash(git commit:*)"]},
                    "hooks": {"PostToolUse": [{"matcher": "edit_file", "hooks": [hook]}]}})
    edit = {"path": "stats.py", "old_string": "len(ordered) // 2]", "new_string": "(len(ordered) - 1) // 2]"}
    agent, model, view = agent_of(repo, [
        tool_use("Task", description="fix the median", prompt="Fix median in stats.py.", subagent_type="fixer"),
        tool_use("edit_file", **edit),
        tool_use("bash", command="git commit -qam 'median: the lower middle'"),
        text("Fixed and committed."),
        tool_use("Task", description="look only", prompt="Read notes.txt.", subagent_type="fixer"),
        tool_use("read_file", path="notes.txt"),
        text("It says one."),
        text("One lane kept, one removed."),
    ], mode="default")
    agent.run("fix it in a lane")
    lane = repo / ".harness" / "worktrees" / "fixer-1"
    assert "You work in the lane fixer-1" in system_text(model.calls[1])
    # the edit is in the lane, committed on its branch; the main checkout is untouched
    assert (lane / "stats.py").read_text(encoding="utf-8") == FIXED
    assert (repo / "stats.py").read_text(encoding="utf-8") == STATS and sh(repo, "status", "--porcelain") == "?? .claude/\n"
    assert sh(repo, "log", "-1", "--format=%s", "lane/fixer-1").strip() == "median: the lower middle"
    assert log.read_text(encoding="utf-8") == f"{lane}\n"  # the PostToolUse hook ran there
    report = results(model, 4)[0]["content"]
    assert report.startswith("Fixed and committed.\n\n[worktree: the subagent's work is kept in the lane fixer-1 "
                             "(.harness/worktrees/fixer-1, branch lane/fixer-1): 1 commit.")
    # the second child changed nothing: its lane went
    assert results(model, 7)[0]["content"] == "It says one."
    assert not (repo / ".harness" / "worktrees" / "fixer-2").exists() and "lane/fixer-2" not in sh(repo, "branch")
    assert "⎇ lane fixer-2 removed: the subagent changed nothing" in view.texts


def test_stale_worktrees_are_pruned_at_the_next_start(repo):
    agent, _, _ = agent_of(repo, [tool_use("TaskCreate", subject="A"),
                                  tool_use("WorktreeCreate", name="gone", task_id="1"), text("Made.")])
    agent.run("make one")
    shutil.rmtree(repo / ".harness" / "worktrees" / "gone")
    agent, model, view = agent_of(repo, [tool_use("WorktreeList"), text("Listed.")])
    agent.run("what lanes are there?")
    assert "⎇ pruned at start: gone (its folder was gone at a start; branch lane/gone kept)" in view.texts
    assert "- gone [removed] lane/gone: its folder was gone at a start" in results(model, 1)[0]["content"]
    assert "gone" not in sh(repo, "worktree", "list")


def test_outside_a_repository_the_tools_say_so_and_nothing_breaks(tmp_path):
    agent, model, view = agent_of(tmp_path, [tool_use("WorktreeList"), text("Not a repository.")])
    assert agent.run("lanes?") == "Not a repository."
    result = results(model, 1)[0]
    assert result["is_error"] and result["content"].startswith(f"{tmp_path.resolve()} is not in a git repository.")
    assert not any("pruned" in line for line in view.texts) and not (tmp_path / ".harness" / "worktrees").exists()


def test_plan_mode_lets_a_lane_be_read_but_not_changed_or_removed_even_where_rules_allow_it(repo):
    settings(repo, {"permissions": {"allow": ["Bash(git log:*)", "Bash(git commit:*)", "WorktreeCloseout"]}})
    agent, model, _ = agent_of(repo, [
        tool_use("TaskCreate", subject="Look"),
        tool_use("WorktreeCreate", name="look", task_id="1"),
        tool_use("WorktreeRun", name="look", command="git log --oneline"),
        tool_use("WorktreeRun", name="look", command="git commit --allow-empty -qm nothing"),
        tool_use("WorktreeCloseout", name="look", action="remove"),
        text("Only looked."),
    ], mode="plan")
    agent.run("plan it")
    assert "base" in results(model, 3)[0]["content"] and not results(model, 3)[0].get("is_error")
    assert results(model, 4)[0]["is_error"] and "plan mode" in results(model, 4)[0]["content"]
    assert results(model, 5)[0]["is_error"] and "plan mode" in results(model, 5)[0]["content"]
    assert (repo / ".harness" / "worktrees" / "look").is_dir()
