"""`full -q` for scripts: Claude Code's output formats, exit codes, and the command line's tool rules.
End to end (a child process, the real SDK, the scripted model on loopback) unless a test says otherwise."""

import io
import json
import os
import signal
import subprocess
import sys
import uuid

import pytest
from rich.console import Console

from s01_agent_loop.cli.testing import build_agent, run_chapter, slash, tagged, wait_until
from s01_agent_loop.scripted import Fault, ScriptedModel, ScriptedServer, call, say, step

RESULT_KEYS = {"type", "subtype", "is_error", "duration_ms", "duration_api_ms", "num_turns", "result", "session_id",
               "total_cost_usd", "usage", "permission_denials"}
USAGE_KEYS = {"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"}


def endpoint(server, tmp_path) -> dict:
    home = tmp_path.parent / f"{tmp_path.name}-home"  # subtle: the user's own ~/.claude must not decide a test
    home.mkdir(exist_ok=True)
    return {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "test-key", "MODEL_ID": "claude-test",
            "HOME": str(home)}


def full(tmp_path, script, *args, env=None):
    """`full -q ... ARGS` in tmp_path against `script`; returns (the finished process, the server)."""
    with ScriptedServer(script) as server:
        result = run_chapter("full", *args, cwd=tmp_path, env={**endpoint(server, tmp_path), **(env or {})})
    return result, server


def settings(tmp_path, name="settings.json", **blocks):
    (tmp_path / ".claude").mkdir(exist_ok=True)
    (tmp_path / ".claude" / name).write_text(json.dumps(blocks), encoding="utf-8")


def wordstats(tmp_path, note: str) -> None:
    """s19's MCP server in `.mcp.json`, approved, its process marked with WORDSTATS_NOTE=note."""
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"wordstats": {
        "type": "stdio", "command": sys.executable, "args": ["-m", "s19_mcp_plugin.server", "--root", "."],
        "env": {"WORDSTATS_NOTE": note}}}}), encoding="utf-8")
    settings(tmp_path, "settings.local.json", enabledMcpjsonServers=["wordstats"])


def lines_of(stdout: str) -> list[dict]:
    """Every line of stdout as JSON (a line that is not fails the test)."""
    return [json.loads(line) for line in stdout.splitlines()]


# --- the formats --------------------------------------------------------------------------------


def test_text_is_the_answer_alone_and_a_denied_tool_is_not_a_failure(tmp_path):
    script = [call("bash", command="touch made.txt"),
              say("I could not create it.", expect={"tool_result_is_error": True, "tool_result_contains": "no terminal"})]
    result, server = full(tmp_path, script, "-q", "make a file")
    server.assert_done()
    assert result.returncode == 0, result.stderr
    assert result.stdout == "I could not create it.\n"
    assert "permission denied" in result.stderr  # the progress is on stderr
    assert not (tmp_path / "made.txt").exists()


def test_json_is_one_result_object_with_claude_codes_keys(tmp_path):
    script = [call("bash", command="echo hi"), say("Done.")]
    result, server = full(tmp_path, script, "-q", "go", "--output-format", "json", "--allowedTools", "Bash(echo:*)")
    server.assert_done()
    assert result.returncode == 0, result.stderr
    [report] = lines_of(result.stdout)
    assert set(report) == RESULT_KEYS and set(report["usage"]) == USAGE_KEYS
    assert report["type"] == "result" and report["subtype"] == "success" and report["is_error"] is False
    assert report["result"] == "Done." and report["num_turns"] == 2
    assert uuid.UUID(report["session_id"])
    assert 0 <= report["duration_api_ms"] <= report["duration_ms"]
    assert report["usage"]["output_tokens"] > 0 and all(isinstance(v, int) for v in report["usage"].values())
    assert report["total_cost_usd"] is None or report["total_cost_usd"] >= 0  # None: the model's price is unknown
    assert report["permission_denials"] == []


def test_stream_json_is_init_then_each_message_as_it_is_sent_then_the_result(tmp_path):
    (tmp_path / "notes.txt").write_text("one\ntwo\n", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"title": "stream", "steps": [
        {"model": {"text": "Reading.", "tool_use": [{"name": "read_file", "input": {"path": "notes.txt"}},
                                                    {"name": "bash", "input": {"command": "rm notes.txt"}}]}},
        {"model": {"text": "It has two lines.", "expect": {"tool_result_contains": "two"}}}]}), encoding="utf-8")
    result = run_chapter("full", "-q", "read notes.txt", "--scenario", str(scenario), "--output-format", "stream-json",
                         cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    lines = lines_of(result.stdout)
    assert [(line["type"], line.get("subtype")) for line in lines] == [
        ("system", "init"), ("assistant", None), ("user", None), ("assistant", None), ("result", "success")]
    init, asked, answered, final, report = lines
    assert init["cwd"] == str(tmp_path) and init["permissionMode"] == "default" and init["mcp_servers"] == []
    assert {"bash", "read_file", "Task"} <= set(init["tools"]) and "permissions" in init["slash_commands"]
    assert init["model"] == "scripted-demo"
    assert {line["session_id"] for line in lines} == {init["session_id"]}
    calls = [block["id"] for block in asked["message"]["content"] if block["type"] == "tool_use"]
    results = [block for block in answered["message"]["content"] if block["type"] == "tool_result"]
    assert [block["tool_use_id"] for block in results] == calls  # one result per call, in order
    assert [bool(block.get("is_error")) for block in results] == [False, True]  # rm was asked about: denied
    assert asked["message"]["role"] == "assistant" and asked["message"]["stop_reason"] == "tool_use"
    assert final["message"]["content"] == [{"type": "text", "text": "It has two lines."}]
    assert report["result"] == "It has two lines." and report["num_turns"] == 2
    assert report["permission_denials"] == [{"tool_name": "bash", "tool_use_id": calls[1],
                                             "tool_input": {"command": "rm notes.txt"}}]
    assert (tmp_path / "notes.txt").exists()


def test_stream_json_writes_each_message_before_what_follows_it_happens(tmp_path):
    """In-process, the stream going to a file the tools read: when a command runs, the line of the
    assistant message that asked for it is there; when the next request goes out, the results' line is."""
    from full.headless import Report
    from full.wiring import CHAPTER
    from s01_agent_loop.scripted import text, tool_use

    model = ScriptedModel([tool_use("bash", command="cp stream.jsonl first.jsonl"),
                           tool_use("bash", command="cp stream.jsonl second.jsonl"), text("Done.")])
    agent = build_agent(CHAPTER, tmp_path, model, "--allowedTools", "Bash(cp:*)")
    try:
        with open(tmp_path / "stream.jsonl", "w", encoding="utf-8") as out:
            assert Report(agent, "stream-json", out).run(CHAPTER, "copy twice", Console(file=io.StringIO())) == 0
    finally:
        agent.close()
    model.assert_done()
    kinds = [[line["type"] for line in lines_of((tmp_path / name).read_text(encoding="utf-8"))]
             for name in ("first.jsonl", "second.jsonl", "stream.jsonl")]
    assert kinds == [["system", "assistant"], ["system", "assistant", "user", "assistant"],
                     ["system", "assistant", "user", "assistant", "user", "assistant", "result"]]


def test_continue_streams_only_the_new_messages_of_the_same_session(tmp_path):
    first, _ = full(tmp_path, [say("First answer.")], "-q", "first", "--output-format", "json")
    [before] = lines_of(first.stdout)
    script = [call("read_file", path="notes.txt"), say("Second answer.", expect={"tool_result_is_error": True})]
    second, server = full(tmp_path, script, "--continue", "-q", "second", "--output-format", "stream-json")
    server.assert_done()
    assert second.returncode == 0, second.stderr
    lines = lines_of(second.stdout)
    assert [line["type"] for line in lines] == ["system", "assistant", "user", "assistant", "result"]
    assert {line["session_id"] for line in lines} == {before["session_id"]}
    assert "First answer." not in second.stdout  # the resumed history was reported by the run that made it
    assert lines[-1]["num_turns"] == 2


# --- how it ended ---------------------------------------------------------------------------------


def test_max_turns_stops_with_exit_3_and_error_max_turns(tmp_path):
    script = [call("bash", command="echo 1"), call("bash", command="echo 2"), say("never sent")]
    result, server = full(tmp_path, script, "-q", "loop", "--max-turns", "2", "--output-format", "json")
    assert result.returncode == 3, result.stderr
    [report] = lines_of(result.stdout)
    assert report["subtype"] == "error_max_turns" and report["is_error"] is True and report["num_turns"] == 2
    assert "--max-turns" in report["result"] and report["errors"] == [report["result"]]
    assert len(server.requests) == 2  # the third request was never sent


def test_an_api_error_exits_1_with_error_during_execution(tmp_path):
    result, server = full(tmp_path, [Fault(status=401, message="invalid x-api-key")], "-q", "hi",
                          "--output-format", "json")
    assert result.returncode == 1, result.stderr
    [report] = lines_of(result.stdout)
    assert report["subtype"] == "error_during_execution" and report["is_error"] is True
    assert "401" in report["result"] and report["num_turns"] == 0
    assert "Traceback" not in result.stderr and "401" in result.stderr


def test_a_prompt_a_hook_blocks_exits_1(tmp_path):
    block = [{"hooks": [{"type": "command", "command": "echo 'no deploys on Fridays' >&2; exit 2"}]}]
    settings(tmp_path, hooks={"UserPromptSubmit": block})
    result, server = full(tmp_path, [], "-q", "deploy", "--output-format", "json")
    assert result.returncode == 1, result.stderr
    [report] = lines_of(result.stdout)
    assert report["subtype"] == "error_during_execution" and "no deploys on Fridays" in report["result"]
    assert server.requests == []


@pytest.mark.parametrize("args, named", [
    (["--output-format", "xml"], "--output-format"),
    (["--allowedTools", "Read", "Bash(git log"], "--allowedTools"),
    (["--disallowedTools", "read(./secrets/**)"], "--disallowedTools"),
])
def test_bad_usage_exits_2_before_anything_runs(tmp_path, args, named):
    result, server = full(tmp_path, [], "-q", "hi", "--output-format", "json", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert named in result.stderr and "Traceback" not in result.stderr
    if named != "--output-format":  # argparse's own has a usage line; ours is one line naming the flag
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert server.requests == []


def test_a_json_format_without_q_is_refused_not_ignored(tmp_path):
    result, server = full(tmp_path, [], "--output-format", "stream-json")
    assert result.returncode == 2 and result.stderr.strip().splitlines()[-1] == (
        "full: --output-format stream-json shapes what -q prints: add -q PROMPT")
    assert server.requests == []


def test_a_bad_rule_stops_what_the_build_started(tmp_path):
    wordstats(tmp_path, "headless-bad-rule")
    result, server = full(tmp_path, [], "-q", "hi", "--allowedTools", "Bash(git log")
    assert result.returncode == 2 and "--allowedTools" in result.stderr
    assert tagged("headless-bad-rule", "WORDSTATS_NOTE") == []  # the MCP server it had started is gone


def test_ctrl_c_exits_130_with_an_error_result(tmp_path):
    """In-process: the model call is interrupted (Ctrl-C), and the run reports it."""
    from full.headless import Report
    from full.wiring import CHAPTER

    model = ScriptedModel([KeyboardInterrupt()])
    agent = build_agent(CHAPTER, tmp_path, model, "-q", "hi", "--output-format", "json")
    out, console = io.StringIO(), Console(file=io.StringIO())
    try:
        assert Report(agent, "json", out).run(CHAPTER, "hi", console) == 130
    finally:
        agent.close()
    [report] = lines_of(out.getvalue())
    assert report["subtype"] == "error_during_execution" and "interrupted" in report["result"]
    assert "interrupted" in console.file.getvalue()


def test_sigterm_keeps_s01s_exit_and_stops_the_run(tmp_path):
    script = [step(text="slow", delay=30)]
    with ScriptedServer(script, strict=False) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        env |= {**endpoint(server, tmp_path), "HARNESS_NO_DOTENV": "1", "PYTHONIOENCODING": "utf-8"}
        child = subprocess.Popen([sys.executable, "-m", "full", "-q", "hi", "--output-format", "stream-json"],
                                 cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_until(lambda: server.requests, 60)
            child.send_signal(signal.SIGTERM)
            out, err = child.communicate(timeout=30)
        finally:
            child.kill()
    assert child.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err
    assert [line["type"] for line in lines_of(out)] == ["system"]  # only whole lines: the init


# --- the command line's rules ---------------------------------------------------------------------


def test_disallowed_tools_denies_bash_even_where_the_settings_allow_it(tmp_path):
    settings(tmp_path, permissions={"allow": ["Bash(touch:*)"]})
    script = [call("bash", command="touch made.txt"),
              say("Denied.", expect={"tool_result_is_error": True, "tool_result_contains": "Bash in command line"})]
    result, server = full(tmp_path, script, "-q", "make it", "--disallowedTools", "Bash")
    server.assert_done()
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "made.txt").exists()


def test_allowed_tools_lets_a_command_run_that_no_terminal_could_approve(tmp_path):
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)

    def status(*args, expect):
        script = [call("bash", command="git status"), say("Checked.", expect=expect)]
        result, server = full(tmp_path, script, "-q", "status?", *args)
        server.assert_done()
        assert result.returncode == 0, result.stderr

    status(expect={"tool_result_is_error": True, "tool_result_contains": "no terminal to ask in"})
    status("--allowedTools", "Bash(git status:*)", "Read,Edit", expect={"tool_result_contains": "On branch main"})


@pytest.mark.parametrize("mode, made", [("bypassPermissions", True), ("plan", False)])
def test_permission_mode_still_works_under_full(tmp_path, mode, made):
    script = [call("bash", command="touch made.txt"), say("Done.")]
    result, server = full(tmp_path, script, "-q", "make it", "--permission-mode", mode, "--output-format", "stream-json")
    server.assert_done()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "made.txt").exists() is made
    init, *_, report = lines_of(result.stdout)
    assert init["permissionMode"] == mode and report["subtype"] == "success"
    if mode == "plan":
        assert "plan mode" in json.dumps(lines_of(result.stdout)[2])


def test_the_command_lines_rules_are_shown_by_permissions_with_their_source(tmp_path):
    from full.wiring import CHAPTER

    agent = build_agent(CHAPTER, tmp_path, ScriptedModel([]), "--allowedTools", "Bash(git log:*) Read",
                        "--disallowedTools", "Bash(git push:*)")
    console = Console(file=io.StringIO(), width=120)
    try:
        slash(agent, "/permissions", console)
    finally:
        agent.close()
    shown = [line.split() for line in console.file.getvalue().splitlines()]
    for row in (["deny", "Bash(git", "push:*)"], ["allow", "Bash(git", "log:*)"], ["allow", "Read"]):
        assert [*row, "command", "line"] in shown, console.file.getvalue()


def test_rules_split_at_commas_and_spaces_outside_parentheses():
    from full.headless import split_rules

    assert split_rules(["Bash(git log:*) Read,Edit", "Bash(git commit -m 'a, b'),mcp__git", " "]) == [
        "Bash(git log:*)", "Read", "Edit", "Bash(git commit -m 'a, b')", "mcp__git"]
    assert split_rules(["Bash(git log"]) == ["Bash(git log"]  # left whole: checked_rule refuses it


# --- only the report on stdout ------------------------------------------------------------------


def test_stdout_for_the_report_sends_prints_and_child_processes_to_stderr():
    code = ("import os, subprocess, sys\nfrom full.headless import stdout_for_the_report\n"
            "with stdout_for_the_report() as out:\n"
            "    print('a print')\n    subprocess.run([sys.executable, '-c', 'print(\"a child\")'])\n"
            "    out.write('the report\\n')\n"
            "print('after')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "the report\nafter\n"
    assert "a print" in result.stderr and "a child" in result.stderr


def test_stream_json_stays_clean_with_hooks_and_an_mcp_server(tmp_path):
    """Hooks that print on every event and an MCP server (s19's wordstats): stdout is JSON lines only,
    the init names the connected server and its tools, and the server is gone at exit."""
    (tmp_path / "notes.txt").write_text("alpha beta beta\n", encoding="utf-8")
    wordstats(tmp_path, "headless-test")
    noisy = [{"hooks": [{"type": "command", "command": "echo hook-stdout; echo hook-stderr >&2"}]}]
    events = ("SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd")
    settings(tmp_path, "settings.local.json", enabledMcpjsonServers=["wordstats"], hooks=dict.fromkeys(events, noisy))
    script = [call("mcp__wordstats__word_count", path="notes.txt"),
              say("Three words.", expect={"tool_result_contains": "3"})]
    result, server = full(tmp_path, script, "-q", "count", "--output-format", "stream-json",
                          "--allowedTools", "mcp__wordstats")
    server.assert_done()
    assert result.returncode == 0, result.stderr
    lines = lines_of(result.stdout)  # every line is JSON
    assert lines[0]["mcp_servers"] == [{"name": "wordstats", "status": "connected"}]
    assert "mcp__wordstats__word_count" in lines[0]["tools"]
    assert lines[-1]["result"] == "Three words."
    assert "hook-stdout" not in result.stdout
    assert tagged("headless-test", "WORDSTATS_NOTE") == []
