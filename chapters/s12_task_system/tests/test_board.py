"""The board on disk: ids, edges kept both ways, cycles refused, readiness, deletes, mistakes the
model makes (a subject for an id), and many writers at once (threads and processes)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from s02_tool_use.tools import ToolContext, ToolRegistry
from s12_task_system import TaskBoard, TaskSystem


@pytest.fixture
def call(tmp_path):
    """`call("TaskUpdate", taskId="2", status="completed")`: one tool call, as the loop makes it."""
    registry = ToolRegistry().add(*TaskSystem(tmp_path).tools())
    return lambda name, **raw: registry.call(name, raw, ToolContext(tmp_path))


def raw_files(folder: Path) -> dict[str, dict]:
    """The task files exactly as stored (no mending)."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def assert_both_ways(files: dict[str, dict]) -> None:
    for task_id, task in files.items():
        for other in task["blocks"]:
            assert task_id in files[other]["blockedBy"], (task_id, other)
        for other in task["blockedBy"]:
            assert task_id in files[other]["blocks"], (task_id, other)


def test_a_graph_is_built_blocked_and_unblocked(call, tmp_path):
    for subject in ("Read the stats module", "Fix the median", "Add a test", "Run the suite"):
        call("TaskCreate", subject=subject)
    assert not call("TaskUpdate", taskId="4", addBlockedBy=["2", "3"]).is_error
    assert not call("TaskUpdate", taskId="1", addBlocks=["2"]).is_error
    listing = call("TaskList").content
    assert listing.splitlines()[1:] == ["#1 [ready] Read the stats module", "#2 [blocked by #1] Fix the median",
                                        "#3 [ready] Add a test", "#4 [blocked by #2, #3] Run the suite"]
    assert call("TaskUpdate", taskId="1", status="completed").content == (
        "Updated task #1: status completed. Now ready: #2 Fix the median.")
    call("TaskUpdate", taskId="2", status="in_progress", owner="lead")
    assert "#2 [in_progress, owner: lead] Fix the median" in call("TaskList").content
    call("TaskUpdate", taskId="2", status="completed")
    assert call("TaskUpdate", taskId="3", status="completed").content.endswith("Now ready: #4 Run the suite.")
    assert_both_ways(raw_files(tmp_path / ".harness" / "tasks"))


def test_a_cycle_is_refused_and_nothing_changes(call, tmp_path):
    for subject in "abc":
        call("TaskCreate", subject=subject)
    call("TaskUpdate", taskId="2", addBlockedBy=["1"])
    call("TaskUpdate", taskId="3", addBlockedBy=["2"])
    before = raw_files(tmp_path / ".harness" / "tasks")
    for attempt in ({"taskId": "1", "addBlockedBy": ["3"]}, {"taskId": "3", "addBlocks": ["1"]},
                    {"taskId": "2", "addBlockedBy": ["2"]}):
        result = call("TaskUpdate", **attempt, status="in_progress")
        assert result.is_error and "cycle" in result.content and "Nothing was changed" in result.content
    assert raw_files(tmp_path / ".harness" / "tasks") == before


def test_a_subject_given_as_an_id_is_refused_with_the_ids_and_the_likely_one(call):
    call("TaskCreate", subject="Fix the median")
    call("TaskCreate", subject="Write tests")
    result = call("TaskUpdate", taskId="2", addBlockedBy=["Fix the median"])
    assert result.is_error
    assert "No task has the id 'Fix the median'" in result.content
    assert "Did you mean task 1" in result.content and "1: Fix the median; 2: Write tests" in result.content
    # forgiving about the form of a real id: 2, "2" and "#2" are the same task
    for form in (2, "2", "#2"):
        assert call("TaskGet", taskId=form).content.startswith("#2 [ready] Write tests")


def test_deleting_leaves_no_dangling_edge_and_ids_are_never_reused(call, tmp_path):
    for subject in "abc":
        call("TaskCreate", subject=subject)
    call("TaskUpdate", taskId="2", addBlockedBy=["1"], addBlocks=["3"])
    assert call("TaskUpdate", taskId="2", status="deleted").content.startswith("Task #2 deleted")
    files = raw_files(tmp_path / ".harness" / "tasks")
    assert set(files) == {"1", "3"} and files["1"]["blocks"] == [] and files["3"]["blockedBy"] == []
    assert call("TaskCreate", subject="d").content == "Task #4 created: d"


def test_an_edge_left_on_one_side_by_a_killed_writer_is_read_on_both(tmp_path):
    board = TaskBoard(tmp_path)
    board.create("first")
    board.create("second")
    path = board.folder / "2.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**stored, "blockedBy": ["1", "99"]}), encoding="utf-8")  # 1 never learned it
    tasks = board.tasks()
    assert tasks["1"].blocks == ["2"] and tasks["2"].blockedBy == ["1"]  # 99 does not exist: dropped


def test_bad_input_is_an_error_the_model_can_correct(call):
    assert "subject" in call("TaskCreate", description="no subject").content
    call("TaskCreate", subject="a")
    result = call("TaskUpdate", taskId="1", status="done")
    assert result.is_error and "status" in result.content


# --- many writers at once --------------------------------------------------------------------


def create_and_link(workdir: str, n: int, seed: int) -> list[tuple[str, str]]:
    """Create `n` tasks, each made to wait for a random task that exists; return the edges made."""
    board, rng, edges = TaskBoard(Path(workdir)), random.Random(seed), []
    for _ in range(n):
        task = board.create(f"task from {seed}")
        target = rng.choice(list(board.tasks()))
        if target != task.id:  # a new task blocks nothing yet, so this edge never closes a cycle
            board.change(task.id, lambda t, tasks, target=target: link(tasks[target], t))
            edges.append((target, task.id))
    return edges


def link(first, then) -> None:
    first.blocks = [*dict.fromkeys([*first.blocks, then.id])]
    then.blockedBy = [*dict.fromkeys([*then.blockedBy, first.id])]


WORKER = """
import json, sys
from tests_board_worker import create_and_link
print(json.dumps(create_and_link(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
"""


def test_threads_and_processes_creating_and_linking_at_once(tmp_path):
    threads, processes, each = 6, 3, 15
    edges: list[tuple[str, str]] = []
    # the processes import this module's function by path
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "tests_board_worker.py").write_text(
        Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
    children = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), str(each), str(100 + i)],
                                 cwd=tmp_path / "worker", stdout=subprocess.PIPE, text=True)
                for i in range(processes)]
    workers = [threading.Thread(target=lambda i=i: edges.extend(create_and_link(str(tmp_path), each, i)))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        edges += [tuple(edge) for edge in json.loads(out)]
    files = raw_files(tmp_path / ".harness" / "tasks")
    total = (threads + processes) * each
    assert sorted(files, key=int) == [str(i) for i in range(1, total + 1)]  # unique ids, none lost
    assert_both_ways(files)  # no one-way edge, as stored
    for first, then in edges:  # no edge lost
        assert then in files[first]["blocks"] and first in files[then]["blockedBy"]
