"""s04 end to end: its command line, the real SDK, one scripted server answering the parent and
its children in turn."""

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step


def test_demo_runs_two_nested_subagents_and_the_parent_sees_only_their_reports():
    result = run_chapter("s04_subagent", "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "reviewer  project .claude/agents/reviewer.md" in out  # /agents lists the overlay's type
    assert "▸ Task(Explore): find the median code" in out
    assert "◂ Explore done: 3 model calls, 3 tool calls" in out
    assert "▸ Task(reviewer): review the median fix" in out
    assert "All 4 tests pass" in out


def test_query_delegates_with_task_and_answers_from_the_report(tmp_path):
    (tmp_path / "notes.md").write_text("# Notes\n\nTODO: water the plants\n", encoding="utf-8")
    task = {"description": "find the todos", "subagent_type": "Explore",
            "prompt": "List every TODO line in this folder with its file and line number."}
    script = [
        step(tool_use=[{"name": "Task", "input": task}], expect={"tools": ["Task", "TodoWrite", "bash"]}),
        step(tool_use=[{"name": "grep", "input": {"pattern": "TODO"}}],
             expect={"tools": ["read_file", "glob", "grep"], "tools_absent": ["Task", "TodoWrite", "bash"],
                     "last_user_contains": "List every TODO line", "messages_at_most": 1}),
        step(text="One TODO: notes.md:3, water the plants.", expect={"tool_result_contains": "notes.md:3:TODO"}),
        step(text="There is one TODO, in notes.md line 3: water the plants.",
             expect={"tool_result_contains": "One TODO: notes.md:3", "messages_at_most": 3}),
    ]
    with ScriptedServer(script) as server:
        model_env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s04_subagent", "-q", "what is left to do here?", cwd=tmp_path, env=model_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "There is one TODO, in notes.md line 3: water the plants.\n"
    assert "▸ Task(Explore): find the todos" in result.stderr
    server.assert_done()
    parent_last = server.requests[-1]["messages"]
    assert [b["name"] for m in parent_last for b in m["content"] if b["type"] == "tool_use"] == ["Task"]
