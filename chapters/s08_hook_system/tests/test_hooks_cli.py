"""s08 end to end: its command line, the real SDK, hooks from the settings files, the scripted model
standing in for any Messages-API server."""

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step


def test_demo_shows_hooks_blocking_with_their_reasons_reaching_the_model():
    result = run_chapter("s08_hook_system", "--demo")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())  # rich wraps long lines
    assert "PreToolUse [edit_file|write_file]" in out  # /hooks
    assert "failing: test_median_even" in out  # UserPromptSubmit context
    assert "Blocked by the PreToolUse[edit_file|write_file] hook" in out and "tests/ is read-only" in out
    assert "wordstats/stats.py compiles." in out  # PostToolUse feedback
    assert "AssertionError: 2 != 2.5" in out  # the Stop hook's reason
    assert "All 4 tests pass" in out


def test_query_runs_the_projects_hooks_on_bash(tmp_path, hook, settings, on):
    guard = hook("""
    if event["tool_input"]["command"].startswith("rm "):
        print("rm is not allowed here; move files to trash/ instead", file=sys.stderr)
        sys.exit(2)
    """)
    note = hook("print(json.dumps({'hookSpecificOutput': {'additionalContext': 'logged by the audit hook'}}))")
    settings({"PreToolUse": on(guard, "bash"), "PostToolUse": on(note, "bash")})
    (tmp_path / "old.log").write_text("old\n")
    script = [
        step(tool_use=[{"name": "bash", "input": {"command": "rm old.log"}}]),
        step(tool_use=[{"name": "bash", "input": {"command": "mkdir trash && mv old.log trash/"}}],
             expect={"tool_result_is_error": True, "tool_result_contains": "move files to trash/ instead"}),
        step(text="Moved old.log to trash/.", expect={"tool_result_contains": "logged by the audit hook"}),
    ]
    env = {"ANTHROPIC_API_KEY": "k", "HOME": str(tmp_path / "home")}
    with ScriptedServer(script) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        result = run_chapter("s08_hook_system", "-q", "clean up old.log", "--permission-mode", "bypassPermissions",
                             cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Moved old.log to trash/.\n"
    assert (tmp_path / "trash" / "old.log").exists()
    server.assert_done()
