"""Autonomous teammates in one process: the chapter's own harness for each, in-process scripted
models, the real board, mailboxes and hooks (real commands), and a clock that only the test moves."""

from __future__ import annotations

import io
import json

from rich.console import Console

from s01_agent_loop.cli.testing import build_agent, slash, system_text
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s12_task_system import TaskBoard
from s12_task_system.board import is_ready
from s15_agent_teams.team import Member, Team
from s17_autonomous_agents.claims import claim
from s17_autonomous_agents.wiring import CHAPTER

from .conftest import Worker, hooks, last_user

TEAM = tool_use("TeamCreate", team_name="notes")
GENERAL = "You work on the board's tasks."


def spawn(*names: str):
    return message(*(tool_use("SpawnTeammate", name=name, role="worker", prompt=GENERAL) for name in names))


LOGGING = """import json, pathlib, sys
event = json.load(sys.stdin)
log = pathlib.Path(event["cwd"], "hook-log.jsonl")
with log.open("a", encoding="utf-8") as file:
    file.write(json.dumps(event) + "\\n")
"""


def logged(tmp_path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "hook-log.jsonl").read_text(encoding="utf-8").splitlines()]


def test_four_idle_teammates_claim_each_of_20_tasks_exactly_once_then_stop(team, tmp_path):
    board = TaskBoard(tmp_path)
    for i in range(20):
        board.create(f"Task {i + 1}", f"Step {i + 1} of the job.")
    names = ["alice", "bob", "carol", "dave"]
    agent, lead, models, waits, clock = team(
        [TEAM, spawn(*names), text("Four workers, no assignments.")], {name: Worker() for name in names},
        "--idle-timeout", "5", ticking=True)
    agent.run("work through the board")
    assert all(lead.teammates[name].join(20) for name in names)  # each stopped on its own: idle
    # 1. every task was handed to exactly one teammate, and is completed under its name
    handed = {name: models[name].handed() for name in names}
    assert sorted((i for mine in handed.values() for i in mine), key=int) == [str(i) for i in range(1, 21)]
    tasks = board.tasks()
    for name, mine in handed.items():
        assert all(tasks[i].owner == name and tasks[i].status == "completed" for i in mine)
    # 2. the handed task is the prompt: its subject and description, claimed for it already
    prompt = next(last_user(c) for c in models["alice"].calls if "Task #" in last_user(c))
    assert "the harness claimed it for you on the board (owner alice, in_progress)" in prompt
    assert "Subject: Task " in prompt and "of the job." in prompt
    assert "Working on your own" in system_text(models["alice"].calls[0])
    assert "Autonomous teammates" in system_text(models["lead"].calls[-1])
    # 3. with nothing left, each stopped after the idle timeout, and told the lead
    assert all(lead.team.state(name)["status"] == "stopped" for name in names)
    told = ""
    while not all(f'from="{name}"' in told for name in names):  # the lead's watcher posts the letters
        posted = lead.session.inbox.next(timeout=20)
        assert posted is not None, told
        told += posted.prompt
    assert told.count("I stopped, idle for 5 s with no mail and no ready task") == 4


def test_a_teammateidle_hook_sends_the_teammate_back_with_its_feedback(team, tmp_path):
    hooks(tmp_path, TeammateIdle=LOGGING + """
marker = pathlib.Path(event["cwd"], "sent-back")
if not marker.exists():
    marker.touch()
    print("Run the tests before you stop.", file=sys.stderr)
    sys.exit(2)
""")
    agent, lead, models, waits, clock = team(
        [TEAM, spawn("alice"), text("ok")], {"alice": [text("Done."), text("Ran them: all pass.")]})
    agent.run("start alice")
    waits.until_idle(lead, "alice")
    first, second = models["alice"].calls
    assert GENERAL in last_user(first)
    assert last_user(second) == ("A TeammateIdle hook of this project sent you back to work before you go idle:\n"
                                 "Run the tests before you stop.")
    events = logged(tmp_path)
    assert [(e["hook_event_name"], e["teammate_name"], e["team_name"]) for e in events] == [
        ("TeammateIdle", "alice", "notes")] * 2  # after each run; the second lets her go idle
    assert lead.team.state("alice")["status"] == "idle"
    models["alice"].assert_done()


def test_a_hook_that_always_sends_back_lets_the_teammate_go_idle_after_three_times(team, tmp_path):
    hooks(tmp_path, TeammateIdle="import sys\nprint('Not yet.', file=sys.stderr)\nsys.exit(2)\n")
    agent, lead, models, waits, clock = team(
        [TEAM, spawn("alice"), text("ok")], {"alice": [text("Done.")] * 4})
    agent.run("start alice")
    waits.until_idle(lead, "alice")
    assert [last_user(c).endswith("Not yet.") for c in models["alice"].calls] == [False, True, True, True]
    notices = [str(item) for item in lead.teammates["alice"].agent.view.items]
    assert "⚑ sent back 3 times in a row: idle anyway" in notices
    models["alice"].assert_done()


def test_a_taskcompleted_hook_keeps_the_task_in_progress_and_its_reason_reaches_the_teammate(team, tmp_path):
    hooks(tmp_path, TaskCompleted=LOGGING + """
marker = pathlib.Path(event["cwd"], "refused")
if not marker.exists():
    marker.touch()
    print("tests.test_stats fails: 2 != 2.5", file=sys.stderr)
    sys.exit(2)
""")
    board = TaskBoard(tmp_path)
    board.create("Fix the median", "Make the even case the mean.")
    board.create("Release", "After the fix.")
    board.change("2", lambda task, tasks: task.blockedBy.append("1"))
    complete = tool_use("TaskUpdate", taskId="1", status="completed")
    alice = ScriptedModel([text("Ready."), complete, complete, text("Done."), text("Later.")])
    seen = []  # the board as alice's model is asked, each time
    query = alice.query
    alice.query = lambda request, on_text=None: (seen.append(board.tasks()), query(request, on_text))[1]
    agent, lead, models, waits, clock = team([TEAM, spawn("alice"), text("ok")], {"alice": alice})
    agent.run("start alice")
    waits.until_idle(lead, "alice")
    # 1. refused: the reason is the TaskUpdate's error result; #1 never left in_progress, so #2
    #    (which waits for it) was never ready for anyone to claim
    refused = alice.calls[2]["messages"][-1]["content"][0]
    assert refused["is_error"] and refused["content"] == (
        "Task #1 was not marked completed: a TaskCompleted hook of this project refused it:\n"
        "tests.test_stats fails: 2 != 2.5\nIt is still in progress. Do what the hook says, then mark it completed again.")
    assert seen[2]["1"].status == "in_progress" and not is_ready(seen[2]["2"], seen[2])
    # 2. the second try passes; #2 becomes ready, and idle alice gets it
    assert "Now ready: #2 Release" in alice.calls[3]["messages"][-1]["content"][0]["content"]
    assert "Task #2 is yours" in last_user(alice.calls[4])
    events = logged(tmp_path)
    assert [(e["hook_event_name"], e["task_id"], e["task_subject"], e["teammate_name"], e["team_name"])
            for e in events] == [("TaskCompleted", "1", "Fix the median", "alice", "notes")] * 2
    assert events[0]["task_description"] == "Make the even case the mean."
    tasks = board.tasks()
    assert (tasks["1"].status, tasks["2"].status, tasks["2"].owner) == ("completed", "in_progress", "alice")
    alice.assert_done()


def test_an_idle_teammate_stops_after_the_timeout_and_new_work_starts_it_over(team, tmp_path):
    board = TaskBoard(tmp_path)

    def lead_adds_a_task(now: float) -> None:  # half-way through her idle time
        if now >= 1030 and not board.tasks():
            board.create("Late work")

    agent, lead, models, waits, clock = team(
        [TEAM, spawn("alice"), text("ok")],
        {"alice": [text("Ready."), tool_use("TaskUpdate", taskId="1", status="completed"), text("Done.")]},
        "--idle-timeout", "60", ticking=True, on_tick=lead_adds_a_task)
    agent.run("start alice")
    assert lead.teammates["alice"].join(20)
    # idle from 1000; the task at 1030 is claimed and done; idle again from 1030; stopped at 1090
    assert 1090 <= clock.now < 1090.5
    assert board.get("1").owner == "alice" and board.get("1").status == "completed"
    assert lead.team.state("alice")["status"] == "stopped"
    posted = lead.session.inbox.next(timeout=20)  # the lead's watcher posts her letter
    assert "I stopped, idle for 60 s with no mail and no ready task" in posted.prompt
    notices = [str(item) for item in lead.teammates["alice"].agent.view.items]
    assert "▶ claimed #1 Late work" in notices and notices[-1] == "■ stopped: idle for 60 s with no mail and no ready task"
    console = Console(file=io.StringIO(), width=80, color_system=None)
    slash(agent, "/team", console)
    assert "alice   worker  ■ stopped" in console.file.getvalue()
    models["alice"].assert_done()


def test_after_a_compaction_a_teammate_is_told_who_it_is_and_what_it_works_on(tmp_path):
    team = Team.create(tmp_path, "notes")
    team.add(Member("alice", "fixer"))
    board = TaskBoard(tmp_path)
    board.create("Fix the median", "Make the even case the mean.")
    claim(board, "1", "alice")
    model = ScriptedModel([text("Looking."), text("Still looking."), text("Summary: alice fixes the median."),
                           text("Going on."), text("On.")])
    agent = build_agent(CHAPTER, tmp_path, model, "--teammate", "alice", "--team", "notes",
                        "--permission-mode", "bypassPermissions", "-q", "(teammate alice)")
    try:
        agent.run("first")
        agent.run("second")
        slash(agent, "/compact", Console(file=io.StringIO()))
        agent.run("go on")
        agent.run("and on")
    finally:
        agent.close()
    told = last_user(model.calls[3])
    assert "The conversation was compacted. You are alice, a teammate in the team \"notes\" (your role: fixer)" in told
    assert "Your task in progress:\n#1 Fix the median: Make the even case the mean." in told
    assert "You are alice" not in last_user(model.calls[4])  # once, after the compaction
    assert "You are alice" not in "".join(last_user(call) for call in model.calls[:3])


def test_the_idle_timeout_option_reaches_teammate_processes_and_is_checked(tmp_path):
    from s01_agent_loop.cli import parse_args
    from s15_agent_teams import TeamLead

    agent = build_agent(CHAPTER, tmp_path, ScriptedModel([]), "--idle-timeout", "90")
    assert TeamLead.of(agent).process_args == ["--idle-timeout", "90"]
    assert parse_args(CHAPTER, ["--demo"]).idle_timeout == 1.0
    assert parse_args(CHAPTER, []).idle_timeout is None  # the default, 300 s, from the wiring
    agent.close()
    for bad in ("-1", "nan", "soon"):
        try:
            parse_args(CHAPTER, ["--idle-timeout", bad])
        except SystemExit as exit:
            assert exit.code == 2
        else:
            raise AssertionError(f"--idle-timeout {bad} was accepted")
