"""The board in the agent: it replaces TodoWrite, the model sees it after a compaction and after a
restart (also one by kill -9 between turns), and `/tasks` draws it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

from rich.console import Console

from s01_agent_loop.cli.testing import build_agent, run_chapter, slash
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s12_task_system import TaskBoard
from s12_task_system.wiring import CHAPTER


def agent_of(tmp_path, script):
    model = ScriptedModel(script)
    return build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions"), model


def last_user_text(request: dict) -> str:
    content = request["messages"][-1]["content"]
    return "\n".join(block.get("text", "") for block in content if block.get("type") == "text")


def test_the_task_tools_replace_todowrite(tmp_path):
    agent, _ = agent_of(tmp_path, [])
    names = [spec["name"] for spec in agent.request()["tools"]]
    assert {"TaskCreate", "TaskUpdate", "TaskGet", "TaskList"} <= set(names)
    assert "TodoWrite" not in names
    assert "# The task board" in "\n".join(block["text"] for block in agent.request()["system"])


def test_a_compacted_agent_still_sees_its_open_tasks(tmp_path):
    agent, model = agent_of(tmp_path, [
        tool_use("TaskCreate", subject="Fix the median"), tool_use("TaskCreate", subject="Add a test"),
        tool_use("TaskUpdate", taskId="2", addBlockedBy=["1"]), text("Two tasks on the board."),
        text("Summary: the user wants the median fixed."),  # the compaction's summary
        text("Going on with task 1."),
    ])
    agent.run("plan the median fix")
    agent.run("one more thing")  # a second turn, so there is an older part to summarise
    slash(agent, "/compact", Console(file=io.StringIO()))
    model.script.insert(0, text("ok"))
    agent.run("go on")
    sent = model.calls[-1]
    assert "The conversation was compacted" in last_user_text(sent)
    assert "#1 [ready] Fix the median" in last_user_text(sent)
    assert "#2 [blocked by #1] Add a test" in last_user_text(sent)


def test_compact_then_exit_then_resume_still_repeats_the_open_tasks(tmp_path):
    agent, model = agent_of(tmp_path, [
        tool_use("TaskCreate", subject="Fix the median"), text("On the board."), text("ok"),
        text("Summary: the user wants the median fixed."),
    ])
    agent.run("plan the median fix")
    agent.run("one more thing")
    slash(agent, "/compact", Console(file=io.StringIO()))
    saved, states = list(agent.messages), agent.session_states()
    assert states["TaskSystem"] == {"compacted": True}
    agent.close()
    resumed, resumed_model = agent_of(tmp_path, [text("Going on with task 1.")])
    resumed.resume(saved, states)
    resumed.run("go on")
    sent = last_user_text(resumed_model.calls[0])
    assert "The conversation was compacted" in sent and "#1 [ready] Fix the median" in sent


def test_a_new_session_in_the_folder_starts_with_the_open_tasks(tmp_path):
    board = TaskBoard(tmp_path)
    board.create("Fix the median")
    done = board.create("Read the code")
    board.change(done.id, lambda task, tasks: setattr(task, "status", "completed"))
    agent, model = agent_of(tmp_path, [text("I see task 1 is open.")])
    agent.run("where were we?")
    sent = last_user_text(model.calls[0])
    assert "open tasks from earlier work" in sent and "#1 [ready] Fix the median" in sent
    assert "Read the code" not in sent  # only the open ones


def test_slash_tasks_draws_the_board_as_a_tree(tmp_path):
    board = TaskBoard(tmp_path)
    for subject in ("Fix the median", "Add a test", "Run the suite"):
        board.create(subject)
    board.change("3", lambda task, tasks: [setattr(task, "blockedBy", ["1", "2"]),
                                           setattr(tasks["1"], "blocks", ["3"]), setattr(tasks["2"], "blocks", ["3"])])
    agent, _ = agent_of(tmp_path, [])
    console = Console(file=io.StringIO(), width=80, color_system=None)
    slash(agent, "/tasks", console)
    drawn = console.file.getvalue()
    assert "3 tasks: 2 ready, 1 blocked" in drawn
    assert "└── ⏸ #3 Run the suite  also after #2" in drawn


SCENARIO = """title: a board that outlives a kill
steps:
  - model:
      tool_use: [{name: TaskCreate, input: {subject: "Fix the median"}}]
  - model:
      tool_use: [{name: TaskCreate, input: {subject: "Add a test"}}]
  - model:
      tool_use: [{name: TaskUpdate, input: {taskId: "2", addBlockedBy: ["1"]}}]
  - model: {text: "Two tasks on the board."}
"""

AFTER = """title: the restart
steps:
  - model:
      text: "Task 1 is ready, task 2 waits for it."
      expect: {last_user_contains: "#2 [blocked by #1] Add a test"}
"""


def test_kill_9_between_turns_then_restart_the_board_is_intact(tmp_path):
    (tmp_path / "plan.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "after.yaml").write_text(AFTER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")} | {"HARNESS_NO_DOTENV": "1"}
    agent = subprocess.Popen([sys.executable, "-m", "s12_task_system", "--scenario", "plan.yaml"], cwd=tmp_path,
                             env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        agent.stdin.write("plan the median fix\n")
        agent.stdin.flush()  # stdin stays open: after the turn the REPL waits for the next line
        deadline = time.monotonic() + 60
        folder = tmp_path / ".harness" / "tasks"
        while time.monotonic() < deadline and '"1"' not in (text := (folder / "2.json").read_text("utf-8")
                                                              if (folder / "2.json").exists() else ""):
            time.sleep(0.05)
        time.sleep(0.2)  # the turn's last reply; the REPL is idle
    finally:
        agent.send_signal(signal.SIGKILL)
        agent.communicate(timeout=30)
    assert '"1"' in text
    result = run_chapter("s12_task_system", "-q", "where were we?", "--scenario", "after.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "Task 1 is ready, task 2 waits for it.\n"), result.stderr
