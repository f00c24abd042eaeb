"""Claims on the real board: threads that start at once, processes that start at once, and every
reason a claim is refused."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from s01_agent_loop.cli.testing import wait_until
from s02_tool_use.tools import ToolError
from s12_task_system import TaskBoard
from s17_autonomous_agents.claims import claim, claim_next

CLAIMER = """
import itertools, pathlib, sys, threading
from s12_task_system.board import TaskBoard
from s17_autonomous_agents.claims import claim_next

workdir, name = pathlib.Path(sys.argv[1]), sys.argv[2]
board = TaskBoard(workdir)
for round in itertools.count():  # one claim a round; a round starts for all at once (the test says go)
    (workdir / f"ready-{round}-{name}").touch()
    while not (workdir / f"go-{round}").exists():
        threading.Event().wait(0.002)
    task = claim_next(board, name)
    print(task.id if task else "-", flush=True)
    if task is None:
        break
"""


def board_of(tmp_path, n: int) -> TaskBoard:
    board = TaskBoard(tmp_path)
    for i in range(n):
        board.create(f"Task {i + 1}")
    return board


def test_eight_threads_claiming_at_once_get_each_of_20_tasks_exactly_once(tmp_path):
    board = board_of(tmp_path, 20)
    claimed = {f"t{i}": [] for i in range(8)}
    rounds = threading.Barrier(len(claimed))

    def claimer(name: str) -> None:
        mine = TaskBoard(tmp_path)  # a board object of its own, as each teammate has
        for _ in range(4):  # each round, all eight look at the same ready tasks and claim one at once
            rounds.wait()
            if task := claim_next(mine, name):
                claimed[name].append(task.id)

    threads = [threading.Thread(target=claimer, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    ids = [i for mine in claimed.values() for i in mine]
    assert sorted(ids, key=int) == [str(i) for i in range(1, 21)]  # each once: none twice, none missed
    # 20, 12 and 4 ready tasks in the three rounds: every thread won a claim in each of the first two
    assert sorted(len(mine) for mine in claimed.values()) == [2, 2, 2, 2, 3, 3, 3, 3]
    tasks = board.tasks()
    for name, mine in claimed.items():
        assert all(tasks[i].owner == name and tasks[i].status == "in_progress" for i in mine)


def test_four_processes_claiming_at_once_get_each_of_20_tasks_exactly_once(tmp_path):
    board = board_of(tmp_path, 20)
    names = ["p1", "p2", "p3", "p4"]
    processes = {name: subprocess.Popen([sys.executable, "-c", CLAIMER, str(tmp_path), name],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in names}
    try:
        for round in range(6):  # five rounds of four claims, then one that finds nothing
            assert wait_until(lambda: all((tmp_path / f"ready-{round}-{n}").exists() for n in names), 30)  # noqa: B023
            (tmp_path / f"go-{round}").touch()
        outputs = {name: process.communicate(timeout=30) for name, process in processes.items()}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    assert all(process.returncode == 0 for process in processes.values()), outputs
    claimed = {name: out.split()[:-1] for name, (out, _) in outputs.items()}
    assert all(out.split()[-1] == "-" for out, _ in outputs.values())
    ids = [i for mine in claimed.values() for i in mine]
    assert sorted(ids, key=int) == [str(i) for i in range(1, 21)]
    assert [len(mine) for mine in claimed.values()] == [5, 5, 5, 5]  # one in each round, none lost
    tasks = board.tasks()
    for name, mine in claimed.items():
        assert all(tasks[i].owner == name for i in mine)


def test_a_claim_is_refused_with_its_reason_and_changes_nothing(tmp_path):
    board = board_of(tmp_path, 4)
    board.change("2", lambda task, tasks: setattr(task, "blockedBy", ["1"]))
    board.change("3", lambda task, tasks: setattr(task, "status", "in_progress"))
    assert claim(board, "1", "alice").owner == "alice"
    before = board.tasks()
    for task_id, why in [("1", "alice owns it"), ("2", "it waits for #1"), ("3", "it is in progress"),
                         ("9", "No task has the id '9'")]:
        with pytest.raises(ToolError, match=why):
            claim(board, task_id, "bob")
    assert board.tasks() == before
    assert claim_next(board, "bob").id == "4"  # the only ready one
    assert claim_next(board, "bob") is None
    board.change("1", lambda task, tasks: setattr(task, "status", "completed"))
    assert claim_next(board, "bob").id == "2"  # ready now that #1 is completed
