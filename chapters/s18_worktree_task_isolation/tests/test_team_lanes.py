"""Teammates in lanes: SpawnTeammate{..., isolation: "worktree"} makes a lane for the teammate,
which works there (a thread, or a process of its own) under the project's rules, while its board
and mail stay shared; the lead merges its branch. Real git in a temporary repository."""

from __future__ import annotations

import json

from s01_agent_loop.cli.testing import build_agent, system_text
from s01_agent_loop.processes import marked
from s01_agent_loop.scripted import ScriptedModel, step, text, tool_use
from s12_task_system.board import TaskBoard
from s15_agent_teams import TeamLead
from s15_agent_teams.testing import Waits, process_team
from s18_worktree_task_isolation.lanes import Lanes
from s18_worktree_task_isolation.wiring import CHAPTER

from .conftest import STATS, results, sh

FIXED = STATS.replace("return ordered[len(ordered) // 2]", "return ordered[(len(ordered) - 1) // 2]")
EDIT = {"path": "stats.py", "old_string": "len(ordered) // 2]", "new_string": "(len(ordered) - 1) // 2]"}
SPAWN = {"name": "alice", "role": "fixer", "prompt": "Fix median in stats.py (task #1), commit it, report.",
         "isolation": "worktree", "task_id": "1"}


def project_rules(repo) -> None:
    """A deny rule in the main checkout's settings.local.json, which is never committed: a lane
    has no copy of it, and the teammate there must obey it all the same."""
    (repo / ".claude").mkdir(exist_ok=True)
    (repo / ".claude" / "settings.local.json").write_text(json.dumps({"permissions": {"deny": ["Bash(rm:*)"]}}),
                                                          encoding="utf-8")


def team(repo, lead_model, teammates: dict):
    """The lead of this chapter on `lead_model`, its teammates on the models in `teammates`, their
    waits ringing only on mail: (agent, its TeamLead, the waits)."""
    agent = build_agent(CHAPTER, repo, lead_model, "--permission-mode", "bypassPermissions")
    lead, waits = TeamLead.of(agent), Waits()
    lead.models, lead.wait = teammates.__getitem__, waits
    return agent, lead, waits


def test_a_teammate_spawned_into_a_lane_works_there_under_the_project_rules_and_its_branch_is_merged(repo):
    project_rules(repo)
    lead_model = ScriptedModel([
        tool_use("TeamCreate", team_name="fix"),
        tool_use("TaskCreate", subject="Fix the median"),
        tool_use("SpawnTeammate", **SPAWN),
        text("alice is on it, in a lane."),
        tool_use("WorktreeCloseout", name="alice-1", action="merge"),
        text("Merged."),
    ])
    alice = ScriptedModel([
        tool_use("edit_file", **EDIT),
        tool_use("bash", command="pwd && git commit -qam 'median: the lower middle'"),
        tool_use("bash", command="rm -f notes.txt"),
        tool_use("TaskUpdate", taskId="1", status="completed"),
        text("Fixed and committed on lane/alice-1."),
    ])
    agent, lead, waits = team(repo, lead_model, {"alice": alice})
    try:
        agent.run("fix the median with a teammate in a worktree")
        waits.until_idle(lead, "alice")
        lane = repo / ".harness" / "worktrees" / "alice-1"
        spawned = results(lead_model, 3)[0]["content"]
        assert "It works in the lane alice-1 (.harness/worktrees/alice-1, branch lane/alice-1)" in spawned
        assert "You work in the lane alice-1" in system_text(alice.calls[0])
        # her edit and commit are in the lane; the main checkout does not have them yet
        assert results(alice, 2)[0]["content"] == f"{lane}"
        assert (lane / "stats.py").read_text(encoding="utf-8") == FIXED
        assert (repo / "stats.py").read_text(encoding="utf-8") == STATS
        # the rule of the main checkout's settings.local.json held in the lane, which has no copy of it
        denied = results(alice, 3)[0]
        assert denied.get("is_error") and "Bash(rm:*)" in denied["content"] and (lane / "notes.txt").exists()
        assert not (lane / ".claude" / "settings.local.json").exists()
        # the board is the team's, in the main checkout; the lane's record says whose it is
        assert TaskBoard(repo).get("1").status == "completed"
        record = Lanes(repo).get("alice-1")
        assert (record.teammate, record.task_id, record.owner) == ("fix/alice", "1", "teammate alice")
        assert agent.run("merge alice's lane") == "Merged."
        assert results(lead_model, 5)[0]["content"].startswith("Merged lane/alice-1 into main")
        assert (repo / "stats.py").read_text(encoding="utf-8") == FIXED and not lane.exists()
    finally:
        agent.close()
    lead_model.assert_done()
    alice.assert_done()


def test_without_isolation_a_teammate_shares_the_checkout_and_a_refused_spawn_leaves_no_lane(repo):
    lead_model = ScriptedModel([
        tool_use("SpawnTeammate", **SPAWN),  # no team yet: refused before a lane is made
        tool_use("TeamCreate", team_name="fix"),
        tool_use("SpawnTeammate", **(SPAWN | {"name": "Not A Name"})),
        tool_use("SpawnTeammate", **(SPAWN | {"task_id": "9"})),  # no task 9: s12's error
        tool_use("SpawnTeammate", name="bob", role="reader", prompt="Read notes.txt."),
        text("bob reads."),
    ])
    bob = ScriptedModel([tool_use("bash", command="pwd"), text("Read.")])
    agent, lead, waits = team(repo, lead_model, {"bob": bob})
    try:
        agent.run("spawn")
        waits.until_idle(lead, "bob")
        assert results(lead_model, 1)[0]["content"].startswith("There is no team yet")
        assert results(lead_model, 3)[0]["is_error"] and results(lead_model, 4)[0]["content"].startswith(
            "No task has the id '9'.")
        assert results(bob, 1)[0]["content"] == str(repo)  # no isolation: the main checkout
        assert "You work in the lane" not in system_text(bob.calls[0])
        assert not (repo / ".harness" / "worktrees" / "lanes.json").exists() or not Lanes(repo).all()
        assert sh(repo, "worktree", "list").count("\n") == 1
    finally:
        agent.close()


def test_a_teammate_process_finds_its_lane_through_the_records(repo):
    project_rules(repo)
    script = [
        step(tool_use=[{"name": "TeamCreate", "input": {"team_name": "procs"}},
                       {"name": "TaskCreate", "input": {"subject": "Fix the median"}}]),
        step(tool_use=[{"name": "SpawnTeammate", "input": SPAWN}]),
        step("alice works in a process of her own, in a lane."),
        step(agent="alice", expect={"system_contains": "You work in the lane alice-1"},
             tool_use=[{"name": "edit_file", "input": EDIT},
                       {"name": "bash", "input": {"command": "git commit -qam 'median: the lower middle' && pwd"}},
                       {"name": "bash", "input": {"command": "rm -f notes.txt"}}]),
        step(agent="alice", expect={"tool_result_contains": "Bash(rm:*)"},
             tool_use=[{"name": "TaskUpdate", "input": {"taskId": "1", "status": "completed"}},
                       {"name": "SendMessage", "input": {"to": "lead", "message": "Committed on lane/alice-1."}}]),
        step("Reported.", agent="alice"),
        step("alice's fix is on her branch.", expect={"last_user_contains": "Committed on lane/alice-1."}),
    ]
    with process_team(CHAPTER, script, repo) as (agent, lead, inbox, _):
        agent.run("fix the median with a teammate process in a worktree")
        posted = inbox.next(timeout=60)  # the watcher polls: the mail comes from another process
        assert posted is not None and "Committed on lane/alice-1." in posted.prompt, lead.team.log_path("alice").read_text()
        agent.run(posted.prompt)
        process = lead.teammates["alice"].process
    assert not marked(process.tree)
    lane = repo / ".harness" / "worktrees" / "alice-1"
    assert (lane / "stats.py").read_text(encoding="utf-8") == FIXED and (lane / "notes.txt").exists()
    assert sh(repo, "log", "-1", "--format=%s", "lane/alice-1").strip() == "median: the lower middle"
    assert (repo / "stats.py").read_text(encoding="utf-8") == STATS
