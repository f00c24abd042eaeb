"""End to end: the demo, and a plan-first teammate in a process of its own, with the real SDK
against the scripted model on loopback: the records and the mailboxes are files, so the protocols
work across the process boundary."""

from __future__ import annotations

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.processes import marked
from s01_agent_loop.scripted import step
from s15_agent_teams.testing import process_team
from s16_team_protocols import Requests
from s16_team_protocols.wiring import CHAPTER


def test_the_demo_approves_one_plan_rejects_one_and_shuts_the_team_down_cleanly():
    result = run_chapter("s16_team_protocols", "--demo")
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "alice  ✗ permission denied: plan mode refuses edits" in out  # before her plan is approved
    assert "bob    ✗ plan-1@bob rejected: still in plan mode" in out
    assert "alice  ✓ plan-1@alice approved: permission mode default" in out
    assert "bob    ✓ plan-2@bob approved: permission mode default" in out
    assert 'request_id="shutdown-1@bob" approve="false">\nMid-task' in out
    assert "bob    ■ shutting down: approved shutdown-2@bob" in out
    assert out.count("■ stopped") == 2 and "3 tasks: 3 completed" in out
    assert "shutdown-1@bob    lead   bob    ✗ rejected" in out
    assert "at exit" not in out  # nobody was left to stop: both had shut down


def test_a_plan_first_teammate_process_is_approved_then_shuts_itself_down(tmp_path):
    write = {"name": "write_file", "input": {"path": "hello.txt", "content": "hi\n"}}
    answer = {"type": "plan_approval_response", "request_id": "plan-1@alice", "approve": True}
    script = [
        step(tool_use=[{"name": "TeamCreate", "input": {"team_name": "procs"}},
                       {"name": "SpawnTeammate", "input": {"name": "alice", "role": "writer", "prompt": "Write hello.txt.",
                                                           "plan_mode_required": True}}]),
        step("alice plans first, in a process of her own."),
        step(agent="alice", expect={"system_contains": "You are in plan mode"}, tool_use=[write]),
        step(agent="alice", expect={"tool_result_contains": "plan mode"},
             tool_use=[{"name": "ExitPlanMode", "input": {"plan": "Write hello.txt."}}]),
        step("Waiting.", agent="alice"),
        step(expect={"last_user_contains": "plan-1@alice"},
             tool_use=[{"name": "SendMessage", "input": {"to": "alice", "message": answer}}]),
        step("Approved."),
        step(agent="alice", delay=0.3, expect={"last_user_contains": 'approve="true"'}, tool_use=[write]),
        step(agent="alice", expect={"tool_result_contains": "Created hello.txt"},
             tool_use=[{"name": "SendMessage", "input": {"to": "lead", "message": "hello.txt is written."}}]),
        step("Done.", agent="alice"),
        step(expect={"last_user_contains": "hello.txt is written."},
             tool_use=[{"name": "SendMessage", "input": {"to": "alice", "message": {"type": "shutdown_request"}}}]),
        step("Asked."),
        step(agent="alice", delay=0.3, expect={"last_user_contains": 'request_id="shutdown-1@alice"'},
             tool_use=[{"name": "SendMessage", "input": {"to": "lead", "message": {
                 "type": "shutdown_response", "request_id": "shutdown-1@alice", "approve": True}}}]),
        step("alice has stopped.", expect={"last_user_contains": 'approve="true"'}),
    ]
    with process_team(CHAPTER, script, tmp_path) as (agent, lead, inbox, _):
        agent.run("have alice write hello.txt, with a plan first")
        process = lead.teammates["alice"].process
        for expected in ("plan_approval_request", "hello.txt is written.", "shutdown_response"):
            posted = inbox.next(timeout=60)  # the watcher polls: the mail comes from another process
            assert posted is not None and expected in posted.prompt, lead.team.log_path("alice").read_text()
            agent.run(posted.prompt)
        assert process.wait(20) == 0  # she ended on her own: her approval ended her loop
        log = lead.team.log_path("alice").read_text()
        assert "permission denied: plan mode" in log and "plan-1@alice approved: permission mode" in log
    assert not marked(process.tree)
    assert (tmp_path / "hello.txt").read_text() == "hi\n" and lead.team.state("alice")["status"] == "stopped"
    assert [(r.id, r.status) for r in Requests(lead.team.folder).all()] == [("plan-1@alice", "approved"),
                                                                             ("shutdown-1@alice", "approved")]
