"""Rules in settings.json form: parsing, command and path matching, the three files, saving."""

import json
from pathlib import Path

import pytest

from s02_tool_use.settings import read_settings
from s07_permission_system.decision import command_decision
from s07_permission_system.rules import Rule, parse_rule, save_rule
from s07_permission_system.validation import permission_rules


def test_parse_rule_reads_bare_names_and_specifiers():
    assert parse_rule("Bash(git status:*)", "allow", "x") == Rule("allow", "Bash", "git status:*", "x")
    assert parse_rule("TodoWrite", "deny").specifier is None
    assert parse_rule("Bash(*)", "allow").specifier is None  # the same as `Bash`
    assert str(parse_rule(" Read(./secrets/**) ", "deny")) == "Read(./secrets/**)"
    with pytest.raises(ValueError, match="not a rule"):
        parse_rule("Bash(git", "allow")


@pytest.mark.parametrize("spec, command, matches", [
    ("git status:*", "git status", True),
    ("git status:*", "git status -s", True),
    ("git status:*", "git statusx", False),
    ("ls:*", "lsof", False),
    ("npm run test:*", "npm run test-all", False),
    ("npm run *", "npm run build", True),
    ("npm run *", "npm run", True),  # a single trailing ` *` may match nothing
    ("npm run *", "npm runx", False),
    ("git * main", "git push origin main", True),
    ("npm test", "npm test", True),
    ("npm test", "npm test --watch", False),
    ("git commit -m 'a b'", "git commit -m 'a b'", True),
])
def test_bash_specifiers_prefix_wildcard_and_exact(spec, command, matches):
    assert Rule("allow", "Bash", spec).matches_command(command.split() if "'" not in command
                                                       else ["git", "commit", "-m", "a b"]) is matches


@pytest.mark.parametrize("spec, path, matches", [
    ("./secrets/**", "{w}/secrets/key", True),
    ("./secrets/**", "{w}/secrets", True),  # the folder itself: grep path=secrets
    ("secrets/**", "{w}/src/secrets/key", False),
    ("/src/**", "{w}/src/a/b.py", True),  # `/path`: from the project root
    ("//etc/**", "/etc/passwd", True),  # `//path`: absolute
    ("~/.ssh/**", "{h}/.ssh/id_rsa", True),
    ("*.env", "{w}/deep/er/prod.env", True),  # no slash: any depth, like gitignore
    ("build/", "{w}/build/out/x", True),
    ("src/*.py", "{w}/src/a/b.py", False),
    ("src/**/*.py", "{w}/src/a/b.py", True),
])
def test_path_specifiers_are_anchored_like_claude_code(tmp_path, spec, path, matches):
    workdir, home = tmp_path / "w", tmp_path / "h"
    target = Path(path.format(w=workdir.resolve(), h=home.resolve()))
    assert Rule("deny", "Read", spec).matches_path(target, workdir, home) is matches


@pytest.mark.parametrize("command, behavior", [
    ("git log", "allow"),
    ("git push origin", "ask"),
    ("git push --force origin", "deny"),
    ("git log && git push --force", "deny"),
    ("git log; git push", "ask"),
    ("git log | less", "ask"),
])
def test_deny_beats_ask_beats_allow_whatever_the_order_in_the_file(command, behavior):
    rules = [Rule("allow", "Bash", "git:*"), Rule("ask", "Bash", "git push:*"), Rule("deny", "Bash", "git push --force:*")]
    assert command_decision(command, rules).behavior == behavior


def test_the_three_settings_files_add_up(tmp_path):
    home, workdir = tmp_path / "home", tmp_path / "w"
    (home / ".claude").mkdir(parents=True)
    (workdir / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text('{"permissions": {"allow": ["Bash(ls:*)"]}}', encoding="utf-8")
    (workdir / ".claude" / "settings.json").write_text('\ufeff{"permissions": {"deny": ["Bash(rm:*)"]}}',
                                                       encoding="utf-8")  # a byte-order mark is fine
    (workdir / ".claude" / "settings.local.json").write_text('{"permissions": {"ask": ["Bash(git push:*)"]}}')
    rules, problems = permission_rules(read_settings(workdir, home))
    assert [(str(r), r.behavior, r.source) for r in rules] == [
        ("Bash(ls:*)", "allow", "~/.claude/settings.json"), ("Bash(rm:*)", "deny", ".claude/settings.json"),
        ("Bash(git push:*)", "ask", ".claude/settings.local.json")]
    assert problems == []


def test_save_rule_merges_into_settings_local_json(tmp_path):
    local = tmp_path / ".claude" / "settings.local.json"
    assert save_rule(tmp_path, "allow", "Bash(make:*)") == local
    local.write_text(json.dumps({"env": {"X": "1"}, "permissions": {"allow": ["Bash(make:*)"]}}), encoding="utf-8")
    save_rule(tmp_path, "allow", "Bash(make:*)")
    save_rule(tmp_path, "allow", "Edit(./a.py)")
    assert json.loads(local.read_text(encoding="utf-8")) == {
        "env": {"X": "1"}, "permissions": {"allow": ["Bash(make:*)", "Edit(./a.py)"]}}
    local.write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError, match="not changing it"):
        save_rule(tmp_path, "allow", "Bash(x:*)")
    assert local.read_text(encoding="utf-8") == "{broken"


@pytest.mark.parametrize("rule, tool, covered", [
    ("mcp__git", "mcp__git__status", True),
    ("mcp__git__*", "mcp__git__status", True),  # Claude Code also accepts the wildcard form
    ("mcp__git__status", "mcp__git__status", True),
    ("mcp__git", "mcp__github__status", False),  # a whole server, not a prefix of its name
    ("mcp__git__*", "mcp__gitx__status", False),
    ("mcp__*", "mcp__git__status", False),  # no wildcard over servers
])
def test_mcp_rules_cover_a_server_or_one_tool(rule, tool, covered):
    assert parse_rule(rule, "deny").covers(tool) is covered
