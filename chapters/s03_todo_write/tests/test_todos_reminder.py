"""The plan reminder: when it comes, where it goes, and when it stays away.

Every request goes through the in-process ScriptedModel, which raises ProtocolError if the reminder
ever lands before a tool_result or leaves the conversation invalid.
"""

from __future__ import annotations

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.wiring import TOOLS
from s03_todo_write import TodoPlanner

TAG = "<system-reminder>"


def plan(*statuses: str) -> list[dict]:
    return [{"content": f"Step {n}", "status": s, "activeForm": f"Doing step {n}"} for n, s in enumerate(statuses, 1)]


def run(tmp_path, script, remind_after=2, prompt="work"):
    model = ScriptedModel(script)
    agent = Harness(model, AgentConfig(model="m"), tmp_path, tools=TOOLS, extensions=[TodoPlanner(remind_after)])
    agent.run(prompt)
    model.assert_done()
    return agent, model


def reminded(model) -> list[int]:
    """The numbers (from 1) of the requests whose last user message carries a reminder."""
    return [n for n, body in enumerate(model.calls, 1) if TAG in str(body["messages"][-1]["content"])]


def look(n: int = 1):
    """A reply that works without touching the plan."""
    return tool_use("glob", pattern=f"*{n}*")


def test_the_reminder_follows_the_tool_results_in_the_same_user_message(tmp_path):
    (tmp_path / "a.txt").write_text("alpha\n")
    two_calls = message(tool_use("read_file", path="a.txt"), tool_use("glob", pattern="*.txt"))
    script = [tool_use("TodoWrite", todos=plan("in_progress", "pending")), look(), two_calls, text("done")]
    agent, model = run(tmp_path, script)
    assert reminded(model) == [4]
    last = model.calls[3]["messages"][-1]
    assert last["role"] == "user"
    assert [block["type"] for block in last["content"]] == ["tool_result", "tool_result", "text"]
    assert last["content"][0]["content"] == "     1\talpha"
    reminder = last["content"][2]["text"]
    assert reminder.startswith(TAG) and reminder.endswith("</system-reminder>")
    assert "in the last 2 rounds" in reminder
    assert "1. [in_progress] Step 1\n2. [pending] Step 2" in reminder
    assert agent.messages[-2] == last  # it stays in the history, where the next request finds it again


def test_it_comes_once_per_n_quiet_rounds_not_every_round(tmp_path):
    script = [tool_use("TodoWrite", todos=plan("in_progress", "pending")), *(look(n) for n in range(7)), text("done")]
    _, model = run(tmp_path, script, remind_after=3)
    # the plan was written in reply 1; replies 2-4, then 5-7 are three quiet rounds each
    assert reminded(model) == [5, 8]
    assert str(model.calls[8]["messages"]).count(TAG) == 2  # the old ones are kept, no new one


def test_an_update_starts_the_count_again(tmp_path):
    script = [tool_use("TodoWrite", todos=plan("in_progress", "pending")), look(1),
              tool_use("TodoWrite", todos=plan("completed", "in_progress")), look(2), look(3), text("done")]
    _, model = run(tmp_path, script)
    assert reminded(model) == [6]  # two quiet replies after the second TodoWrite, not after the first


def test_no_reminder_without_a_plan_for_a_fresh_plan_or_for_a_finished_one(tmp_path):
    no_plan = [look(n) for n in range(5)] + [text("done")]
    assert reminded(run(tmp_path, no_plan)[1]) == []
    fresh = [tool_use("TodoWrite", todos=plan("in_progress", "pending")), look(), text("done")]
    assert reminded(run(tmp_path, fresh)[1]) == []
    finished = [tool_use("TodoWrite", todos=plan("completed", "completed")), *(look(n) for n in range(4)), text("done")]
    assert reminded(run(tmp_path, finished)[1]) == []
    never = [tool_use("TodoWrite", todos=plan("in_progress")), *(look(n) for n in range(4)), text("done")]
    assert reminded(run(tmp_path, never, remind_after=0)[1]) == []


def test_an_unfinished_plan_is_still_remembered_in_the_next_turn(tmp_path):
    planner = TodoPlanner(remind_after=1)
    script = [tool_use("TodoWrite", todos=plan("in_progress", "pending")), text("paused"), text("done")]
    model = ScriptedModel(script)
    agent = Harness(model, AgentConfig(model="m"), tmp_path, tools=TOOLS, extensions=[planner])
    agent.run("start")
    agent.run("go on")
    model.assert_done()
    assert reminded(model) == [3]
    last = model.calls[2]["messages"][-1]["content"]
    assert last[0]["text"] == "go on" and last[1]["text"].startswith(TAG)  # after the prompt, in its message
