"""Broken settings never fail open: each shape stops the agent with one line naming the file, the
place and the problem, or (with --ignore-broken-settings) runs with the other files' rules and says
which file it skipped. A checked-in bypassPermissions is not taken without the user's yes."""

import json

import pytest

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step

GOOD_DENY = {"permissions": {"deny": ["Read(./secrets/**)"]}}

BROKEN = {
    "trailing comma": ('{"permissions": {"deny": ["Bash(rm:*)",]}}', "line 1 column"),
    "top-level array": ('[{"permissions": {}}]', "expected a JSON object, found a list"),
    "rules as a string": ('{"permissions": {"deny": "Bash(rm:*)"}}', "permissions.deny"),
    "a number among rules": ('{"permissions": {"deny": ["Bash(rm:*)", 42]}}', "permissions.deny.1"),
    "unknown key": ('{"permissions": {"denny": ["Bash(rm:*)"]}}', "permissions.denny"),
    "unbalanced rule": ('{"permissions": {"deny": ["Bash(rm:*"]}}', "permissions.deny[0]"),
    "wrong-case tool": ('{"permissions": {"deny": ["read(./secrets/**)"]}}', "did you mean 'Read'"),
    "mode as a number": ('{"permissions": {"defaultMode": 7}}', "permissions.defaultMode"),
    "unknown mode": ('{"permissions": {"defaultMode": "yolo"}}', "permissions.defaultMode"),
    "a folder, not a file": (None, "cannot be read"),
}


def project(tmp_path, broken_text):
    (tmp_path / ".claude").mkdir()
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "key.txt").write_text("API_KEY=sk-secret-value\n", encoding="utf-8")
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps(GOOD_DENY), encoding="utf-8")
    local = tmp_path / ".claude" / "settings.local.json"
    if broken_text is None:
        local.mkdir()
    else:
        local.write_text(broken_text, encoding="utf-8")
    return local


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_settings_file_stops_the_agent_with_one_line(tmp_path, case):
    text, problem = BROKEN[case]
    local = project(tmp_path, text)
    result = run_chapter("s07_permission_system", "-q", "read the key", cwd=tmp_path, env={"ANTHROPIC_API_KEY": "k"})
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(local) in lines[0] and problem in lines[0] and "--ignore-broken-settings" in lines[0]


def test_with_the_override_the_other_files_rules_still_hold(tmp_path):
    local = project(tmp_path, '{"permissions": {"allow": ["Read(**)"],}}')
    script = [step(tool_use=[{"name": "read_file", "input": {"path": "secrets/key.txt"}}]),
              step(text="It is protected.", expect={"tool_result_is_error": True,
                                                   "tool_result_contains": "Read(./secrets/**)"})]
    with ScriptedServer(script) as server:
        result = run_chapter("s07_permission_system", "-q", "read the key", "--ignore-broken-settings",
                             cwd=tmp_path, env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url})
    server.assert_done()
    assert result.returncode == 0, result.stderr
    assert f"{local}" in result.stderr and "skipped" in result.stderr
    assert "sk-secret-value" not in json.dumps(server.requests)


def test_a_checked_in_bypass_mode_is_not_taken_without_a_terminal(tmp_path):
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(
        json.dumps({"permissions": {"defaultMode": "bypassPermissions"}}), encoding="utf-8")
    (tmp_path / "keep.txt").write_text("keep\n", encoding="utf-8")
    script = [step(tool_use=[{"name": "bash", "input": {"command": "touch made.txt"}}]),
              step(text="Not allowed.", expect={"tool_result_is_error": True})]
    with ScriptedServer(script) as server:
        result = run_chapter("s07_permission_system", "-q", "touch it", cwd=tmp_path,
                             env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url})
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "made.txt").exists()
    assert "not using bypassPermissions" in " ".join(result.stderr.split())
    # the command line may choose it explicitly
    script = [step(tool_use=[{"name": "bash", "input": {"command": "touch made.txt"}}]), step(text="Done.")]
    with ScriptedServer(script) as server:
        result = run_chapter("s07_permission_system", "-q", "touch it", "--permission-mode", "bypassPermissions",
                             cwd=tmp_path, env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url})
    assert result.returncode == 0 and (tmp_path / "made.txt").exists()
