"""The `Memory` extension in the real harness with the scripted model: the tool, the snapshot taken
at SessionStart, `/clear`, `/memory`, subagents, and the wiring."""

import argparse
import io

import pytest
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session
from s01_agent_loop.cli.testing import RecordingView, slash, system_text
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.wiring import TOOLS
from s03_todo_write.planner import TodoPlanner
from s04_subagent.subagents import Subagents
from s06_context_compact import Compactor
from s07_permission_system.permissions import Permissions
from s09_memory_system import Memory
from s09_memory_system.store import file_for, memory_dir, read_memory
from s09_memory_system.wiring import build

CONFIG = AgentConfig(model="claude-test")
FEEDBACK = {"action": "save", "name": "test-command", "type": "feedback",
            "description": "Run the tests with python -m unittest -v", "content": "Always use -v."}
LINE = "- [test-command](test-command.md) (feedback): Run the tests with python -m unittest -v"


def agent_for(tmp_path, script, *extensions):
    model, view = ScriptedModel(script), RecordingView()
    agent = Harness(model, CONFIG, tmp_path, view, tools=TOOLS, extensions=[*extensions, Memory()])
    return agent, model, view


def results(agent) -> list[dict]:
    return [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]


def console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None)


def test_a_saved_memory_is_in_the_next_sessions_prompt_not_this_ones(tmp_path):
    agent, model, _ = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), text("Saved."), text("Still the same."),
                                           text("I remember.")])
    agent.run("Remember: always run the tests with -v.")
    agent.run("Anything else?")
    first, second, third = (system_text(call) for call in model.calls)
    assert "(No memories yet.)" in first and first == second == third  # frozen for the session: the cache holds
    [result] = results(agent)
    assert "Saved new memory 'test-command' (feedback) in .harness/memory/test-command.md" in result["content"]
    assert read_memory(file_for(tmp_path, "test-command")).body == "Always use -v."
    assert LINE in (memory_dir(tmp_path) / "MEMORY.md").read_text(encoding="utf-8")
    slash(agent, "/clear", console())
    agent.run("Run the tests.")
    model.assert_done()
    assert LINE in system_text(model.calls[-1]) and "(No memories yet.)" not in system_text(model.calls[-1])
    assert len(model.calls[-1]["messages"]) == 1  # a new conversation


def test_a_resumed_session_keeps_its_own_snapshot_though_a_memory_was_saved_since(tmp_path):
    agent, model, _ = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), text("Saved.")])
    agent.run("Remember: always run the tests with -v.")
    state = Memory.of(agent).session_state(agent)
    resumed, resumed_model, view = agent_for(tmp_path, [text("Going on.")])
    resumed.resume(list(agent.messages), {"Memory": state})
    assert not [line for line in view.texts if "in the system prompt" in line]  # it holds none: no claim
    resumed.run("go on")
    assert system_text(resumed_model.calls[0]) == system_text(model.calls[0])
    assert "(No memories yet.)" in system_text(resumed_model.calls[0])
    resumed.new_session()  # a new conversation sees the memory
    assert LINE in Memory.of(resumed).snapshot.text


def test_save_updates_and_forget_deletes(tmp_path):
    update = FEEDBACK | {"description": "Run the tests with pytest -q", "type": "project"}
    forget = {"action": "forget", "name": "test-command"}
    agent, model, _ = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), tool_use("memory", **update),
                                           tool_use("memory", **forget), tool_use("memory", **forget), text("ok")])
    agent.run("go")
    model.assert_done()
    saved, updated, forgot, again = results(agent)
    assert "Updated memory 'test-command' (project)" in updated["content"]
    assert forgot["content"] == "Forgot memory 'test-command'. Deleted .harness/memory/test-command.md."
    assert again["is_error"] and again["content"] == "No memory named 'test-command'. Memories: (none)."
    assert not file_for(tmp_path, "test-command").exists()
    assert (memory_dir(tmp_path) / "MEMORY.md").read_text(encoding="utf-8").count("\n") == 1  # the header only


@pytest.mark.parametrize("bad_input, message", [
    ({"name": "../escape"}, "'../escape' is not a valid memory name"),
    ({"name": "Test_Command"}, "is not a valid memory name"),
    ({"name": "memory"}, "'memory' is reserved for the index"),
    ({"content": "  "}, "action save needs content"),
    ({"description": None, "type": None}, "action save needs description, type"),
    ({"description": "two\nlines"}, "description must be one line of at most 200 characters"),
    ({"description": "x" * 201}, "description must be one line of at most 200 characters"),
    ({"type": "opinion"}, "type: Input should be 'user', 'feedback', 'project' or 'reference'"),
    ({"action": "remember"}, "action: Input should be 'save' or 'forget'"),
])
def test_invalid_input_is_an_error_the_model_can_fix(tmp_path, bad_input, message):
    agent, model, _ = agent_for(tmp_path, [tool_use("memory", **(FEEDBACK | bad_input)), text("ok")])
    agent.run("go")
    [result] = results(agent)
    assert result["is_error"] and result["content"].startswith("Invalid input for memory: ")
    assert message in result["content"]
    assert not (tmp_path / ".harness").exists() and not (tmp_path.parent / "escape.md").exists()


def test_a_corrupt_file_is_reported_at_session_start_and_kept_when_overwritten(tmp_path):
    corrupt = memory_dir(tmp_path) / "test-command.md"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text("half a memory, no frontmatter\n", encoding="utf-8")
    agent, model, view = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), text("ok")])
    agent.run("go")
    assert ("memory: skipped .harness/memory/test-command.md: no YAML frontmatter" in view.texts[0]
            and view.texts[0].endswith("(the file is left as it is)"))
    [result] = results(agent)
    assert "could not be read as a memory, so it was kept: moved to .harness/memory/corrupt/test-command-" in result["content"]
    assert "moved to .harness/memory/corrupt/" in view.texts[-1]  # the user is told too
    [aside] = (memory_dir(tmp_path) / "corrupt").iterdir()
    assert aside.read_text(encoding="utf-8") == "half a memory, no frontmatter\n"


def test_the_session_start_line_counts_the_memories(tmp_path):
    agent, _, view = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), text("ok"), text("ok")])
    agent.run("go")
    assert not any(t.startswith("memory: ") for t in view.texts)  # nothing to load yet
    slash(agent, "/clear", console())
    agent.run("again")
    assert "memory: 1 memory in the system prompt (.harness/memory/MEMORY.md)" in view.texts


def test_clear_empties_the_conversation_and_starts_a_new_session(tmp_path):
    seen = []

    class Starts(Memory):  # records SessionStart through the same extension point
        def on_event(self, agent, event, data):
            if event == "SessionStart":
                seen.append(data["source"])

    plan = {"todos": [{"content": "Fix it", "status": "in_progress", "activeForm": "Fixing it"}]}
    agent, model, _ = agent_for(tmp_path, [tool_use("TodoWrite", **plan), text("one"), text("two")],
                                Starts(), Compactor(), TodoPlanner())
    agent.run("first")
    assert TodoPlanner.of(agent).todos
    agent.pending_context.append("stale context")
    out = console()
    slash(agent, "/clear", out)
    assert (agent.messages, agent.pending_context, seen) == ([], [], ["startup", "clear"])
    assert TodoPlanner.of(agent).todos == []  # the plan belonged to the old conversation
    assert "new conversation" in out.file.getvalue()
    agent.run("second")
    model.assert_done()
    assert seen == ["startup", "clear"] and len(model.calls[2]["messages"]) == 1


def test_memory_command_lists_files_and_what_this_session_holds(tmp_path):
    corrupt = memory_dir(tmp_path) / "broken.md"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_text("---\nname: broken\n---\n", encoding="utf-8")
    agent, _, _ = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), text("ok")])
    out = console()
    slash(agent, "/memory", out)
    assert "no memories yet (.harness/memory/ holds none)" in out.file.getvalue()
    agent.run("go")
    out = console()
    slash(agent, "/memory", out)
    screen = out.file.getvalue()
    for cell in ("test-command", "feedback", "Run the tests with python -m unittest -v", "test-command.md",
                 "next session", "index MEMORY.md"):
        assert cell in screen
    assert "skipped .harness/memory/broken.md: description: Field required; type: Field required" in screen
    slash(agent, "/clear", console())
    agent.model.script.append(text("ok"))  # `agent.model` is the raw model
    agent.run("again")
    out = console()
    slash(agent, "/memory", out)
    assert "yes" in out.file.getvalue() and "next session" not in out.file.getvalue()


def test_a_subagent_sees_the_index_but_has_no_memory_tool(tmp_path):
    agent, model, _ = agent_for(tmp_path, [tool_use("memory", **FEEDBACK), text("saved")], Subagents())
    agent.run("remember")
    slash(agent, "/clear", console())
    model.script += [tool_use("Task", description="run tests", prompt="Run the tests."), text("child done"),
                     text("parent done")]
    agent.run("delegate")
    model.assert_done()
    child_request = model.calls[3]
    assert LINE in system_text(child_request) and "You are a subagent" in system_text(child_request)
    assert "memory" not in [tool["name"] for tool in child_request["tools"]]
    assert "memory" in [tool["name"] for tool in model.calls[4]["tools"]]  # the parent keeps it


def test_the_tool_declares_itself_internal_and_the_gate_lets_it_through_in_plan_mode(tmp_path):
    args = argparse.Namespace(permission_mode="plan", context_budget=None, demo=False)
    agent = build(Session(ScriptedModel([tool_use("memory", **FEEDBACK), text("ok")]), CONFIG, tmp_path,
                          RecordingView(), args, interactive=False))
    assert agent.tools.tools["memory"].kind == "internal"
    assert Memory.of(agent) is not None and Permissions.of(agent) is not None
    assert {"memory", "clear", "compact"} <= set(agent.commands())
    agent.run("remember")
    assert (memory_dir(tmp_path) / "test-command.md").exists()
