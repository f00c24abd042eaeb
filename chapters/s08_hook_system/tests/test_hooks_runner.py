"""One command hook: JSON on stdin, the exit code and stdout read the way Claude Code reads them."""

import os
import shlex
import sys
import time
from pathlib import Path

import pytest

from s08_hook_system.config import HookCommand
from s08_hook_system.runner import run_hook


def hook_for(command: str, event="PreToolUse", matcher="bash", timeout=10.0) -> HookCommand:
    return HookCommand(event, matcher, command, timeout, Path("settings.json"), "project")


def test_the_hook_gets_the_event_on_stdin_in_the_work_dir_with_claude_project_dir(tmp_path, hook):
    cmd = hook("print(json.dumps({'got': event, 'env': os.environ['CLAUDE_PROJECT_DIR'], 'cwd': os.getcwd()}))")
    run = run_hook(hook_for(cmd), {"tool_name": "bash", "tool_input": {"command": "ls"}, "note": "héllo"}, tmp_path)
    assert run.exit_code == 0 and run.error is None and not run.blocks
    assert run.output["got"] == {"tool_name": "bash", "tool_input": {"command": "ls"}, "note": "héllo"}
    assert Path(run.output["env"]) == tmp_path and Path(run.output["cwd"]).resolve() == tmp_path.resolve()


def test_exit_2_blocks_with_stderr_as_the_reason(tmp_path, hook):
    run = run_hook(hook_for(hook("sys.stderr.write('no rm here\\n'); sys.exit(2)")), {}, tmp_path)
    assert run.blocked and run.blocks and run.error is None
    assert run.reason == "no rm here"


def test_json_on_stdout_decides(tmp_path, hook):
    answer = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                     "permissionDecisionReason": "not on Fridays"}}
    run = run_hook(hook_for(hook(f"print(json.dumps({answer!r}))")), {}, tmp_path)
    assert run.blocks and run.reason == "not on Fridays" and run.context() is None


def test_plain_stdout_is_context_and_additional_context_too(tmp_path, hook):
    plain = run_hook(hook_for(hook("print('branch: main')"), "UserPromptSubmit", ""), {}, tmp_path)
    assert plain.output is None and plain.context() == "branch: main"
    answer = {"hookSpecificOutput": {"additionalContext": "3 TODOs left"}}
    extra = run_hook(hook_for(hook(f"print(json.dumps({answer!r}))")), {}, tmp_path)
    assert extra.context() == "3 TODOs left"


def test_any_other_exit_is_a_non_blocking_error_that_names_the_hook(tmp_path, hook):
    cmd = hook("for i in range(9): sys.stderr.write(f'line {i}\\n')\nsys.exit(1)")
    run = run_hook(hook_for(cmd), {}, tmp_path)
    assert not run.blocks
    assert run.error.startswith(f"PreToolUse[bash] hook `{cmd}` failed with exit code 1:\n  line 0\n")
    assert "line 4" in run.error and "line 5" not in run.error and "… 4 more lines" in run.error


def test_invalid_json_is_named(tmp_path, hook):
    run = run_hook(hook_for(hook("print('{\"decision\": block}')"), "Stop", ""), {}, tmp_path)
    assert not run.blocks and run.output is None
    assert run.error.startswith("Stop hook `") and "stdout is not valid JSON" in run.error


def test_bytes_that_are_not_utf8_are_replaced(tmp_path, hook):
    run = run_hook(hook_for(hook("sys.stdout.buffer.write(b'caf\\xe9\\n')"), "UserPromptSubmit", ""), {}, tmp_path)
    assert run.context() == "caf\ufffd"


@pytest.mark.skipif(os.name != "posix", reason="the command uses POSIX shell syntax")
def test_a_timeout_kills_the_hook_and_everything_it_started(tmp_path):
    late = tmp_path / "late.txt"
    cmd = f"(sleep 0.4; touch {shlex.quote(str(late))}) & wait"
    start = time.monotonic()
    run = run_hook(hook_for(cmd, timeout=0.2), {}, tmp_path)
    assert time.monotonic() - start < 2
    assert run.exit_code is None and not run.blocks
    assert run.error == f"PreToolUse[bash] hook `{cmd}` timed out after 0.2s and was killed"
    time.sleep(0.5)
    assert not late.exists()  # the background child was killed with the group


def test_a_command_that_does_not_exist_is_an_error_not_a_crash(tmp_path):
    run = run_hook(hook_for("definitely-not-a-command-xyz"), {}, tmp_path)
    assert run.exit_code == 127 and run.error.startswith("PreToolUse[bash] hook `definitely-not-a-command-xyz` failed")
    assert sys.executable  # the shell reported it; nothing raised
