"""Red team, second round: one class of attack per block, each checked by its effect.

The project allows `ls`, `echo`, `cat`, `git status` and edits under `src/`, and denies `rm` and
the secrets. Two kinds of attack:
- DISGUISED: delete `victim.txt`, which `Bash(rm:*)` protects, with `rm` hidden from a naive
  reader. `victim.txt` must survive in default, acceptEdits AND bypassPermissions mode: a deny rule
  holds in every mode, and a command that cannot be fully analysed is denied when a deny rule exists.
- UNVOUCHED: run `touch pwn`, which no rule allows, riding on an allowed command. `pwn` must not
  appear in default or acceptEdits mode (nobody is there to ask). bypassPermissions allows it by
  design, so that mode is not checked here.
Then protected paths, and reads that must not leak.
"""

import json
import os
from pathlib import Path

import pytest

SETTINGS = {"permissions": {
    "allow": ["Bash(ls:*)", "Bash(echo:*)", "Bash(cat:*)", "Bash(git status:*)", "Bash(printf:*)", "Edit(src/**)"],
    "deny": ["Bash(rm:*)", "Read(./secrets/**)", "Read(./vault)"],
}}

RM = "rm victim.txt"
DISGUISED = {
    # expansions that run code inside an allowed command
    "${x:='$(rm)'} ${x@P}": "ls ${x:='$(rm victim.txt)'} ${x@P}",
    "${x@P} alone": "x='$(rm victim.txt)'; ls ${x@P}",
    "arithmetic $[...]": "a='x[$(rm victim.txt)]'; echo $[a]",
    "arithmetic $((...))": "a='x[$(rm victim.txt)]'; echo $((a))",
    "arithmetic (( ))": "a='x[$(rm victim.txt)]'; (( a ))",
    "arithmetic in [[ -eq ]]": "a='x[$(rm victim.txt)]'; [[ $a -eq 0 ]]; ls",
    "substring offset": "a='x[$(rm victim.txt)]'; x=abc; echo ${x:a}",
    "indirection ${!ref}": "r='x[$(rm victim.txt)]'; echo ${!r}",
    "array subscript": "a='$(rm victim.txt)'; echo ${x[a]}",
    # dynamic program names
    "X=rm; $X": "X=rm; $X victim.txt",
    "${X}": "X=rm; ${X} victim.txt",
    '"$X"': 'X=rm; "$X" victim.txt',
    "$(echo rm)": "$(echo rm) victim.txt",
    "`echo rm`": "`echo rm` victim.txt",
    "$(printf rm)": "$(printf rm) victim.txt",
    "printf \\x72\\x6d": "$(printf '\\x72\\x6d') victim.txt",
    "/bin/r?": "/bin/r? victim.txt",
    "/bin/r[m]": "/bin/r[m] victim.txt",
    "/???/rm": "/???/rm victim.txt",
    "rm${IFS}": "rm${IFS}victim.txt",
    "{rm,victim.txt} braces": "{rm,victim.txt}",
    "$'rm' ANSI-C": "$'rm' victim.txt",
    "$'\\x72m'": "$'\\x72m' victim.txt",
    '$"rm" translated': '$"rm" victim.txt',
    "for c in rm": "for c in rm; do $c victim.txt; done",
    "read from a here-string": "read c <<< rm; $c victim.txt",
    # the shell's own quoting, which a naive reader takes at face value
    "r''m": "r''m victim.txt",
    'r""m': 'r""m victim.txt',
    "r\\m": "r\\m victim.txt",
    "backslash-newline": "r\\\nm victim.txt",
    "tab": "rm\tvictim.txt",
    '"r"m': '"r"m victim.txt',
    # shells that read a script from stdin, a here-string, a here-document or an odd -c
    "| bash": f"echo '{RM}' | bash",
    "| sh -s": f"printf '{RM}' | sh -s",
    "bash <<<": f"bash <<< '{RM}'",
    "bash <<EOF": f"bash <<EOF\n{RM}\nEOF",
    "bash -xc": f"bash -xc '{RM}'",
    "sh -ec": f"sh -ec '{RM}'",
    "bash -c --": f"bash -c -- '{RM}'",
    "bash -o pipefail -c": f"bash -o pipefail -c '{RM}'",
    "bash -c bash -c": f"bash -c \"bash -c '{RM}'\"",
    "bash script file": f"echo '{RM}' > s.sh; bash s.sh",
    "source": f"echo '{RM}' > s.sh; source s.sh",
    ". script": f"echo '{RM}' > s.sh; . ./s.sh",
    # code in other programs' arguments
    "eval": f"eval '{RM}'",
    "eval $X": f"X='{RM}'; eval $X",
    "trap": f"trap '{RM}' EXIT; ls",
    "env -S": f"env -S '{RM}'",
    "env --split-string=": f"env --split-string='{RM}'",
    "env": f"env {RM}",
    "watch": f"timeout 1 watch -n 1 '{RM}'",
    "alias": f"shopt -s expand_aliases\nalias ls='{RM}'\nls",
    "function named ls": f"ls() {{ {RM}; }}; ls",
    "function": f"f() {{ {RM}; }}; f",
    # wrappers
    **{f"{wrapper} rm": f"{wrapper} {RM}" for wrapper in (
        "exec", "command", "builtin", "nice", "nohup", "timeout 5", "setsid", "stdbuf -o0", "time", "xargs -a /dev/null",
        "sudo", "env X=1", "nice -n 5 env")},
    "find -exec": "find . -name victim.txt -exec rm {} \\;",
    "xargs": "echo victim.txt | xargs rm",
    "/bin/rm": f"/bin/{RM}",
    "X=1 rm": f"X=1 {RM}",
    # commands inside the command
    "$( )": f"ls $({RM})",
    "` `": f"ls `{RM}`",
    '"$( )"': f'ls "$({RM})"',
    "<( )": f"cat <({RM})",
    ">( )": f"ls >({RM})",
    "here-doc substitution": f"cat <<EOF\n$({RM})\nEOF",
    "assignment substitution": f"x=$({RM}); ls",
    "loop list substitution": f"for f in $({RM}); do ls; done",
    "case subject": f"case $({RM}) in *) ls;; esac",
    "if condition": f"if {RM}; then ls; fi",
    "while body": f"while true; do {RM}; break; done",
    "negated": f"! {RM}",
    "subshell": f"(ls; {RM})",
    "group": f"{{ ls; {RM}; }}",
    "background": f"ls & {RM}",
    "pipeline": f"ls | {RM}",
    "|&": f"ls |& {RM}",
    "newline": f"ls\n{RM}",
    "comment then newline": f"ls # {RM}\n{RM}",
    "parse error after": f"{RM}\nls 'unclosed",
    "very long": "ls " + "a " * 12_000 + f"; {RM}",
}

UNVOUCHED = {
    "; touch": "ls; touch pwn",
    "git status -c": "git -c core.fsmonitor='touch pwn' status",
    "PAGER=": "PAGER='touch pwn' git status",
    "echo > redirect": "echo x > pwn",
    "cat >> redirect": "cat /dev/null >> pwn",
    "printf > redirect": "printf x > pwn",
    "ls with glob name": "/???/touch pwn",
    "echo | sh": "echo 'touch pwn' | sh",
    "git status && bash -c": "git status && bash -c 'touch pwn'",
    "eval": "eval 'touch pwn'",
    "xargs": "echo pwn | xargs touch",
    "env": "env touch pwn",
    "ls $( )": "ls $(touch pwn)",
    "echo ${x@P}": "x='$(touch pwn)'; echo ${x@P}",
    "function ls": "ls() { touch pwn; }; ls",
    "alias": "shopt -s expand_aliases\nalias ls='touch pwn'\nls",
    "echo $((a))": "a='x[$(touch pwn)]'; echo $((a))",
    "export PATH": "export PATH=/tmp:$PATH; ls",
    "X=1 ls": "X=1 ls; touch pwn",
    "cat <(...)": "cat <(touch pwn)",
}

PROTECTED = {
    ".git/config fsmonitor": (".git/config", "[core]\n\tfsmonitor = touch pwn\n"),
    ".git/hooks/pre-commit": (".git/hooks/pre-commit", "#!/bin/sh\ntouch pwn\n"),
    ".claude/settings.local.json": (".claude/settings.local.json", '{"permissions": {"allow": ["Bash"]}}'),
    ".claude/settings.json": (".claude/settings.json", '{"permissions": {}}'),
    ".claude/hooks/x.py": (".claude/hooks/x.py", "import os; os.system('touch pwn')\n"),
    ".mcp.json": (".mcp.json", '{"mcpServers": {"x": {"command": "touch", "args": ["pwn"]}}}'),
    ".vscode/tasks.json": (".vscode/tasks.json", "{}"),
}


@pytest.fixture
def project(tmp_path):
    workdir, home = tmp_path / "project", tmp_path / "home"
    for folder in (workdir / ".claude", workdir / "src", workdir / "secrets", workdir / "vault", workdir / ".git",
                   home):
        folder.mkdir(parents=True)
    (workdir / ".claude" / "settings.json").write_text(json.dumps(SETTINGS), encoding="utf-8")
    (workdir / "victim.txt").write_text("keep me\n", encoding="utf-8")
    (workdir / "src" / "app.py").write_text("KEY = 'public'\n", encoding="utf-8")
    # line endings that split lines differently for different readers
    (workdir / "secrets" / "cr.txt").write_bytes(b"first\rKEY=sk-secret-cr\r")
    (workdir / "secrets" / "fs.txt").write_bytes(b"KEY=public\x1cKEY=sk-secret-fs\n")
    (workdir / "vault" / "key.txt").write_text("KEY=sk-secret-vault\n", encoding="utf-8")
    return workdir, home



def test_the_attack_list_covers_every_class_with_150_cases():
    first_round = Path(__file__).with_name("test_red_team.py").read_text(encoding="utf-8")
    n_first = first_round.split("ATTACKS = [", 1)[1].split("\n]\n", 1)[0].count('"bash", {') + \
        first_round.split("ATTACKS = [", 1)[1].split("\n]\n", 1)[0].count('_file", {') + 4  # + grep, glob ones
    assert len(DISGUISED) + len(UNVOUCHED) + len(PROTECTED) + 6 + n_first >= 150


@pytest.mark.parametrize("mode", ["default", "acceptEdits", "bypassPermissions"])
@pytest.mark.parametrize("command", list(DISGUISED.values()), ids=list(DISGUISED))
def test_a_disguised_rm_never_deletes_what_a_deny_rule_protects(attempt, project, mode, command):
    workdir, home = project
    result, spy, _ = attempt(workdir, home, mode, "bash", {"command": command})
    assert (workdir / "victim.txt").exists(), result["content"]
    assert result.get("is_error") and spy == []


@pytest.mark.parametrize("mode", ["default", "acceptEdits"])
@pytest.mark.parametrize("command", list(UNVOUCHED.values()), ids=list(UNVOUCHED))
def test_code_no_rule_allows_never_runs_on_an_allowed_commands_back(attempt, project, mode, command):
    workdir, home = project
    result, spy, _ = attempt(workdir, home, mode, "bash", {"command": command})
    assert not (workdir / "pwn").exists() and spy == [], result["content"]


@pytest.mark.parametrize("mode", ["default", "acceptEdits", "bypassPermissions"])
@pytest.mark.parametrize("path, content", list(PROTECTED.values()), ids=list(PROTECTED))
def test_protected_paths_are_asked_about_in_every_mode_but_bypass(attempt, project, mode, path, content):
    workdir, home = project
    before = (workdir / path).read_bytes() if (workdir / path).exists() else None
    result, spy, _ = attempt(workdir, home, mode, "write_file", {"path": path, "content": content})
    if mode == "bypassPermissions":
        assert spy == ["write_file"]
    else:
        assert spy == [] and "is protected" in result["content"]
        assert ((workdir / path).read_bytes() if (workdir / path).exists() else None) == before


@pytest.mark.parametrize("mode", ["default", "acceptEdits", "bypassPermissions"])
@pytest.mark.parametrize("name, tool_input", [
    ("grep", {"pattern": "sk-"}),
    ("grep", {"pattern": "KEY"}),
    ("glob", {"pattern": "**/*.txt"}),
    ("edit_file", {"path": "secrets/fs.txt", "old_string": "public", "new_string": "x"}),
    ("read_file", {"path": "vault/key.txt"}),
    ("grep", {"pattern": "sk-", "path": "vault"}),
], ids=["grep sk-", "grep KEY (CR, \\x1c)", "glob", "edit a Read-denied file", "folder rule", "grep a denied folder"])
def test_no_secret_reaches_the_model(attempt, project, mode, name, tool_input):
    workdir, home = project
    _, _, requests = attempt(workdir, home, mode, name, tool_input)
    sent = json.dumps(requests)
    assert "sk-secret" not in sent
    assert (workdir / "secrets" / "fs.txt").read_bytes() == b"KEY=public\x1cKEY=sk-secret-fs\n"


def test_plan_mode_runs_read_only_commands_a_rule_allows(attempt, project):
    workdir, home = project
    result, spy, _ = attempt(workdir, home, "plan", "bash", {"command": "ls src && git status -s"})
    assert spy == ["bash"] and "app.py" in result["content"]
    result, spy, _ = attempt(workdir, home, "plan", "bash", {"command": "ls > listing.txt"})
    assert spy == [] and not (workdir / "listing.txt").exists()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_the_controls_still_run(attempt, project):
    """The gate is not simply refusing everything: allowed calls run in every mode."""
    workdir, home = project
    for mode in ("default", "acceptEdits", "bypassPermissions"):
        result, spy, _ = attempt(workdir, home, mode, "bash", {"command": "ls src; echo ok | cat"})
        assert spy == ["bash"] and "app.py" in result["content"]
        _, spy, _ = attempt(workdir, home, mode, "write_file", {"path": "src/new.py", "content": "x = 1\n"})
        assert spy == ["write_file"]


@pytest.mark.parametrize("command", [
    "sed '1e touch pwn' src/app.py", "sed -n '1w pwn' src/app.py", "git branch -D main", "git tag -d v1",
    "sort --compress-program=sh src/app.py", "tree -o pwn", "git diff --output=pwn", "rg --pre ./x.sh KEY",
    "git -c core.fsmonitor='touch pwn' status",
])
def test_plan_mode_reads_only_even_with_a_rule_for_the_program(attempt, project, command):
    workdir, home = project
    settings = json.loads((workdir / ".claude" / "settings.json").read_text(encoding="utf-8"))
    settings["permissions"]["allow"] += ["Bash(sed:*)", "Bash(git:*)", "Bash(sort:*)", "Bash(tree:*)", "Bash(rg:*)"]
    (workdir / ".claude" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    result, spy, _ = attempt(workdir, home, "plan", "bash", {"command": command})
    assert spy == [] and "plan mode" in result["content"] and not (workdir / "pwn").exists()


def test_code_the_text_does_not_show_is_denied_when_only_a_read_rule_denies(attempt, tmp_path):
    """Fail closed: a Read deny rule could be broken by code that cannot be analysed."""
    workdir, home = tmp_path / "w", tmp_path / "home"
    (workdir / ".claude").mkdir(parents=True)
    (workdir / ".claude" / "settings.json").write_text(
        json.dumps({"permissions": {"deny": ["Read(./secrets/**)"]}}), encoding="utf-8")
    result, spy, _ = attempt(workdir, home, "bypassPermissions", "bash", {"command": "X=cat; $X secrets/key"})
    assert spy == [] and "Read(./secrets/**)" in result["content"]


def test_always_allowing_an_interpreter_with_inline_code_offers_only_that_command():
    from s07_permission_system.decision import command_decision

    for command in ("python -c 'import os'", "git -c core.pager=less log", "node -e 1"):
        [rule] = command_decision(command, []).suggestions
        assert str(rule) == f"Bash({command})"
