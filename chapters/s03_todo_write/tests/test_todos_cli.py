"""s03 end to end: the command line, the real SDK, the scripted model on loopback."""

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step


def test_demo_plans_is_reminded_is_refused_once_and_finishes_the_plan():
    result = run_chapter("s03_todo_write", "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("● TodoWrite") == 5
    assert "▶ Fixing median_word_length for an even number of words" in out  # the activeForm, live
    assert "↻ reminded the model of its plan (3 rounds without an update)" in out
    flat = " ".join(out.split())  # the refusal is wrapped to the terminal's width
    assert "2 items are in_progress" in flat and "The plan was not changed" in flat
    assert "all 5 tests pass" in out
    final = out[out.index("› /todos") :].splitlines()[1:5]  # the last user step: /todos
    assert final == ["Plan · 3 of 3 done", "  ✔ Fix median_word_length for an even number of words",
                     "  ✔ Add a test with the words out of order", "  ✔ Run the test suite"]
    assert "Traceback" not in result.stderr


def test_query_plans_with_todowrite_and_draws_the_plan_on_stderr(tmp_path):
    (tmp_path / "a.txt").write_text("one two\n")
    (tmp_path / "b.txt").write_text("three\n")

    def todos(*statuses):
        steps = [("Count the words in a.txt", "Counting the words in a.txt"),
                 ("Count the words in b.txt", "Counting the words in b.txt")]
        return [{"content": c, "status": s, "activeForm": a} for (c, a), s in zip(steps, statuses, strict=True)]

    script = [
        step(tool_use=[{"name": "TodoWrite", "input": {"todos": todos("in_progress", "pending")}}],
             expect={"tools": ["TodoWrite", "bash"], "system_contains": "TodoWrite"}),
        step(tool_use=[{"name": "bash", "input": {"command": "wc -w < a.txt"}}],
             expect={"tool_result_contains": "Plan saved (0 of 2 done)"}),
        step(tool_use=[{"name": "TodoWrite", "input": {"todos": todos("completed", "in_progress")}}],
             expect={"tool_result_contains": "2"}),
        step(tool_use=[{"name": "bash", "input": {"command": "wc -w < b.txt"}}],
             expect={"tool_result_contains": "1. [completed] Count the words in a.txt"}),
        step(tool_use=[{"name": "TodoWrite", "input": {"todos": todos("completed", "completed")}}],
             expect={"tool_result_contains": "1"}),
        step(text="3 words in all.", expect={"tool_result_contains": "all 2 items are completed"}),
    ]
    env = {"ANTHROPIC_API_KEY": "k", "MODEL_ID": "claude-test"}
    with ScriptedServer(script) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        result = run_chapter("s03_todo_write", "-q", "how many words are in a.txt and b.txt?", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "3 words in all.\n"  # the plan never reaches stdout
    assert "Plan · 0 of 2 done\n  ▶ Counting the words in a.txt\n  ☐ Count the words in b.txt" in result.stderr
    assert "Plan · 2 of 2 done\n  ✔ Count the words in a.txt\n  ✔ Count the words in b.txt" in result.stderr
    server.assert_done()
