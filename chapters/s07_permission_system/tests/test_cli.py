"""s07 end to end: the demo, and `-q` against a scripted Messages API server with the project's rules."""

import json

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step


def test_demo_shows_an_approved_command_and_denied_ones():
    result = run_chapter("s07_permission_system", "--demo")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())  # rich wraps long lines
    assert "Ran 4 tests" in out and "OK" in out  # approved by Bash(python -m unittest:*)
    assert "denied by the rule Bash(rm:*) in .claude/settings.json" in out
    assert "no terminal to ask in" in out  # git push: an ask, and nobody to ask
    assert "denied by the rule Read(./secrets/**)" in out and "sk-demo" not in out
    assert "mode: plan" in out and "the session is in plan mode" in out


def test_query_obeys_the_projects_rules_and_the_permission_mode_option(tmp_path):
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps({"permissions": {
        "allow": ["Bash(echo:*)", "Edit(notes/**)"], "deny": ["Bash(rm:*)"]}}), encoding="utf-8")
    (tmp_path / "keep.txt").write_text("keep\n", encoding="utf-8")
    script = [
        step(tool_use=[{"name": "bash", "input": {"command": "echo allowed"}}], expect={"tools": ["bash", "write_file"]}),
        step(tool_use=[{"name": "bash", "input": {"command": "echo x; rm keep.txt"}}],
             expect={"tool_result_contains": "allowed", "tool_result_is_error": False}),
        step(tool_use=[{"name": "write_file", "input": {"path": "notes/a.md", "content": "a\n"}}],
             expect={"tool_result_is_error": True, "tool_result_contains": "denied by the rule Bash(rm:*)"}),
        step(tool_use=[{"name": "write_file", "input": {"path": "b.md", "content": "b\n"}}],
             expect={"tool_result_is_error": False}),
        step(text="Done; rm was refused and b.md needs approval.",
             expect={"tool_result_is_error": True, "tool_result_contains": "no terminal to ask in"}),
    ]
    env = {"ANTHROPIC_API_KEY": "k"}
    with ScriptedServer(script) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        result = run_chapter("s07_permission_system", "-q", "tidy up", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Done; rm was refused and b.md needs approval.\n"
    assert (tmp_path / "keep.txt").exists() and (tmp_path / "notes" / "a.md").exists()
    assert not (tmp_path / "b.md").exists()
    assert "permission denied" in result.stderr
    server.assert_done()

    with ScriptedServer([step(tool_use=[{"name": "bash", "input": {"command": "echo hi > out.txt"}}]),
                         step(text="ok", expect={"tool_result_contains": "plan mode"})]) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        result = run_chapter("s07_permission_system", "-q", "write", "--permission-mode", "plan", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "out.txt").exists()
    server.assert_done()
