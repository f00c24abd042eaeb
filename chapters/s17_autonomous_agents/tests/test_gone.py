"""A teammate process killed in the middle of a task (kill -9) cannot say it stopped, nor give its
task back: the lead notices the process is gone, marks it stopped, and puts its unfinished task
back on the board for the next idle teammate. Real processes, the real SDK, the scripted model."""

from __future__ import annotations

import os
import signal

from s01_agent_loop.cli.testing import wait_until
from s01_agent_loop.processes import marked
from s01_agent_loop.scripted import step
from s12_task_system.board import TaskBoard
from s15_agent_teams.testing import process_team
from s17_autonomous_agents.claims import claim, release
from s17_autonomous_agents.wiring import CHAPTER


def test_release_gives_back_only_the_unfinished_tasks_of_that_teammate(tmp_path):
    board = TaskBoard(tmp_path)
    for subject in ("a", "b", "c", "d"):
        board.create(subject)
    claim(board, "1", "alice"), claim(board, "2", "alice"), claim(board, "3", "bob")
    board.change("2", lambda task, tasks: setattr(task, "status", "completed"))
    assert [task.id for task in release(board, "alice")] == ["1"]
    tasks = board.tasks()
    assert (tasks["1"].owner, tasks["1"].status) == (None, "pending")  # ready for the next one
    assert (tasks["2"].owner, tasks["2"].status) == ("alice", "completed")  # done work stays hers
    assert (tasks["3"].owner, tasks["3"].status) == ("bob", "in_progress")  # not alice's
    assert release(board, "alice") == []


def test_a_teammate_process_killed_mid_task_is_marked_stopped_and_its_task_freed(tmp_path):
    script = [
        step(tool_use=[{"name": "TeamCreate", "input": {"team_name": "procs"}},
                       {"name": "TaskCreate", "input": {"subject": "A slow task"}}]),
        step(tool_use=[{"name": "SpawnTeammate", "input": {"name": "alice", "role": "worker",
                                                           "prompt": "Say that you are ready."}}]),
        step("alice is on the team."),
        step("Ready.", agent="alice"),
        # her answer to the claimed task never comes: she is killed while the model "thinks"
        step("Working on it.", agent="alice", delay=60, expect={"last_user_contains": "Task #1 is yours"}),
    ]
    with process_team(CHAPTER, script, tmp_path) as (agent, lead, inbox, server):
        board = TaskBoard(tmp_path)
        agent.run("start a teammate")
        assert wait_until(lambda: server.played[-1], 60), "alice never asked about her task"
        task = board.get("1")
        assert (task.owner, task.status) == ("alice", "in_progress")  # claimed for her
        process = lead.teammates["alice"].process
        os.kill(process.pid, signal.SIGKILL)
        assert wait_until(lambda: (board.get("1").owner, board.get("1").status) == (None, "pending"), 10)
        assert lead.team.state("alice")["status"] == "stopped"
        told = " ".join(map(str, inbox.told))
        assert "alice's process ended (exit -9) without stopping: marked stopped" in told, told
        assert "back on the board for the others: #1 A slow task" in told
    assert not marked(process.tree)
