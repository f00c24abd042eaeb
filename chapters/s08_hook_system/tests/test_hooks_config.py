"""The `hooks` block: three settings files, matchers, and a warning for every bad entry."""

import json
from pathlib import Path

import pytest

from s08_hook_system.config import DEFAULT_TIMEOUT, HookCommand, load_hooks


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def group(command: str, matcher=None, **extra) -> dict:
    return {"hooks": [{"type": "command", "command": command, **extra}]} | ({"matcher": matcher} if matcher else {})


def test_the_three_files_add_up_in_order_and_each_hook_knows_its_file(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    write(home / ".claude/settings.json", {"hooks": {"Stop": [group("user-stop")]}})
    write(work / ".claude/settings.json", {"hooks": {"Stop": [group("project-stop")],
                                                     "PreToolUse": [group("guard", "bash", timeout=5)]}})
    write(work / ".claude/settings.local.json", {"hooks": {"Stop": [group("local-stop")]}})
    config = load_hooks(work, home)
    assert config.warnings == []
    assert [(h.command, h.scope) for h in config.matching("Stop")] == [
        ("user-stop", "user"), ("project-stop", "project"), ("local-stop", "local")]
    guard = config.matching("PreToolUse", "bash")[0]
    assert guard.timeout == 5 and guard.path == work / ".claude/settings.json"
    assert config.matching("Stop")[0].timeout == DEFAULT_TIMEOUT == 60


@pytest.mark.parametrize("matcher, name, expected", [
    ("bash", "bash", True),
    ("bash", "bash_extra", False),  # the whole name must match
    ("Bash", "bash", False),  # case-sensitive, like Claude Code
    ("edit_file|write_file", "write_file", True),
    ("edit_file|write_file", "read_file", False),
    ("mcp__.*", "mcp__github__search", True),
    (".*_file", "glob", False),
    ("", "anything", True),
    ("*", "anything", True),
])
def test_a_matcher_is_a_regex_for_the_whole_tool_name(matcher, name, expected):
    hook = HookCommand("PreToolUse", matcher, "x", 60, Path("s.json"), "project")
    assert hook.matches(name) is expected


def test_events_without_a_matcher_ignore_it_and_session_start_matches_its_source():
    stop = HookCommand("Stop", "bash", "x", 60, Path("s.json"), "project")
    assert stop.matches(None)
    start = HookCommand("SessionStart", "startup", "x", 60, Path("s.json"), "project")
    assert start.matches("startup") and not start.matches("compact")


def test_bad_entries_are_named_and_good_ones_stay(tmp_path):
    settings = write(tmp_path / ".claude/settings.json", {"hooks": {
        "PreToolUse": [group("ok", "bash"), group("bad-regex", "bash("),
                       {"matcher": "bash", "hooks": [{"type": "prompt", "prompt": "is this safe?"},
                                                     {"type": "command", "command": "  "},
                                                     {"type": "command", "command": "slow", "timeout": -1}]}],
        "BeforeEverything": [group("nope")],
        "Stop": {"hooks": []},
    }})
    config = load_hooks(tmp_path, tmp_path / "home")
    assert [h.command for h in config.hooks] == ["ok"]
    text = "\n".join([*config.warnings, *config.errors])
    assert all(str(settings) in line for line in [*config.warnings, *config.errors])
    assert "hooks.PreToolUse[1].matcher: 'bash(' is not a valid regular expression" in text
    assert "hooks.PreToolUse[2].hooks[0]: type 'prompt' is not supported" in text
    assert "hooks.PreToolUse[2].hooks[1]: `command` must be a non-empty string" in text
    assert "hooks.PreToolUse[2].hooks[2]: `timeout` must be a positive number of seconds, got -1" in text
    assert "hooks.BeforeEverything: unknown event; the events are PreToolUse, PostToolUse" in text
    assert "hooks.Stop: expected a list of matcher groups" in text
    assert len(config.warnings) == 1 and "type 'prompt'" in config.warnings[0]  # understood, cannot run here
    assert len(config.errors) == 5  # cannot be understood: the agent stops on these


def test_a_broken_settings_file_is_an_error_and_the_others_still_count(tmp_path):
    write(tmp_path / ".claude/settings.json", "{ not json")
    write(tmp_path / ".claude/settings.local.json", {"hooks": {"Stop": [group("local-stop")]}})
    config = load_hooks(tmp_path, tmp_path / "home")
    assert [h.command for h in config.hooks] == ["local-stop"]
    assert len(config.errors) == 1 and "not valid JSON" in config.errors[0]


def test_no_settings_no_hooks(tmp_path):
    config = load_hooks(tmp_path, tmp_path / "home")
    assert config.hooks == [] and config.warnings == config.errors == []


def test_a_hooks_block_that_cannot_be_understood_stops_the_agent_with_one_line(tmp_path):
    from s01_agent_loop.cli.testing import run_chapter

    (tmp_path / ".claude").mkdir()
    settings = tmp_path / ".claude" / "settings.json"
    settings.write_text(json.dumps({"hooks": {"PreToolUse": [{"matcher": "bash(", "hooks": []}]}}), encoding="utf-8")
    result = run_chapter("s08_hook_system", "-q", "hi", cwd=tmp_path, env={"ANTHROPIC_API_KEY": "k"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(settings) in line and "hooks.PreToolUse[0].matcher" in line and "--ignore-broken-settings" in line
