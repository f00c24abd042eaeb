"""End to end: the demo, and a teammate running as a process of its own, with the real SDK against
the scripted model on loopback."""

from __future__ import annotations

import argparse

import pytest

from s01_agent_loop.cli import parse_args
from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.processes import marked
from s01_agent_loop.scripted import step
from s15_agent_teams.testing import process_team
from s15_agent_teams.wiring import CHAPTER


def test_the_demo_splits_a_task_graph_between_three_teammates_who_pass_the_work_on_by_mail():
    result = run_chapter("s15_agent_teams", "--demo")
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "alice  ✉ from lead: Task #1" in out and "carol  ✉ from alice: The median fix is in" in out
    assert "bob    ✉ from carol: alice's median fix is reviewed and approved" in out  # teammate to teammate
    assert "bob    ✗ permission denied: the rule Bash(rm:*)" in out  # the lead's rules hold for a teammate
    assert "mail from bob" in out and "4 tasks: 4 completed" in out
    assert out.rstrip().endswith("stopped 3 teammates at exit: alice, bob, carol")


def test_a_teammate_process_shares_the_mailboxes_and_the_board(tmp_path):
    script = [
        step(tool_use=[{"name": "TeamCreate", "input": {"team_name": "procs"}},
                       {"name": "TaskCreate", "input": {"subject": "Say hello"}}]),
        step(tool_use=[{"name": "SpawnTeammate", "input": {"name": "alice", "role": "greeter",
                                                           "prompt": "Do task #1: greet the lead."}}]),
        step("alice works in a process of her own."),
        step(agent="alice", expect={"last_user_contains": "Do task #1"},
             tool_use=[{"name": "TaskUpdate", "input": {"taskId": "1", "owner": "alice", "status": "completed"}},
                       {"name": "SendMessage", "input": {"to": "lead", "message": "hello from a process"}}]),
        step("Greeted.", agent="alice", expect={"tool_result_contains": "Sent to lead."}),
        step("alice says hello.", expect={"last_user_contains": "hello from a process"}),
    ]
    with process_team(CHAPTER, script, tmp_path) as (agent, lead, inbox, _):
        agent.run("greet me through a teammate")
        posted = inbox.next(timeout=60)  # the watcher polls: the mail came from another process
        assert posted is not None and "hello from a process" in posted.prompt, lead.team.log_path("alice").read_text()
        assert agent.run(posted.prompt) == "alice says hello."
        process = lead.teammates["alice"].process
        assert lead.team.state("alice")["pid"] == process.pid
    assert process.poll() is not None and not marked(process.tree)
    assert lead.team.state("alice")["status"] == "stopped"
    from s12_task_system import TaskBoard

    assert TaskBoard(tmp_path).get("1").status == "completed"


def test_the_teammate_options_are_hidden_and_the_process_option_is_offered(capsys):
    args = parse_args(CHAPTER, ["--teammates-as", "process"])
    assert isinstance(args, argparse.Namespace) and args.teammates_as == "process" and args.teammate is None
    with pytest.raises(SystemExit):
        parse_args(CHAPTER, ["--help"])
    help_text = capsys.readouterr().out
    assert "--teammates-as" in help_text and "--teammate " not in help_text
