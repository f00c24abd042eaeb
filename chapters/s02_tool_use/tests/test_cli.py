"""s02 end to end: its command line, the real SDK, the scripted model standing in for any
Messages-API server."""

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step


def test_demo_fixes_the_sample_project():
    result = run_chapter("s02_tool_use", "--demo")
    assert result.returncode == 0, result.stderr
    assert "File not found: stats.py" in result.stdout  # the deliberate mistake, as an error result
    assert "OK" in result.stdout and "All 4 tests pass" in result.stdout


def test_query_does_a_task_with_the_file_tools_in_the_current_folder(tmp_path):
    (tmp_path / "notes.md").write_text("# Notes\n\nTODO: buy milk\n")
    script = [
        step(tool_use=[{"name": "grep", "input": {"pattern": "TODO"}}],
             expect={"tools": ["bash", "read_file", "write_file", "edit_file", "glob", "grep"]}),
        step(tool_use=[{"name": "edit_file", "input": {"path": "notes.md", "old_string": "TODO: buy milk",
                                                        "new_string": "DONE: buy milk"}}],
             expect={"tool_result_contains": "notes.md:3:TODO: buy milk"}),
        step(tool_use=[{"name": "write_file", "input": {"path": "log/done.txt", "content": "milk\n"}}],
             expect={"tool_result_is_error": False}),
        step(text="Marked the TODO done and logged it.", expect={"tool_result_contains": "log/done.txt"}),
    ]
    env_ = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": None}
    with ScriptedServer(script) as server:
        env_["ANTHROPIC_BASE_URL"] = server.url
        result = run_chapter("s02_tool_use", "-q", "mark the todo in notes.md done", cwd=tmp_path, env=env_)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Marked the TODO done and logged it.\n"
    assert (tmp_path / "notes.md").read_text() == "# Notes\n\nDONE: buy milk\n"
    assert (tmp_path / "log" / "done.txt").read_text() == "milk\n"
    server.assert_done()
