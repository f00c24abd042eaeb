"""What the rules say about one tool call: deny, ask or allow, why, and what "allow always" would add.

A shell command (a tool of kind "shell") is decided part by part (`compound.py`): a deny rule that
meets any part, or any program a part may run, denies the whole; a part that is asked about, or that
no rule allows, makes the whole an ask; only when every part is allowed is the command allowed. A
tool with a `path_arg` is decided by the resolved path; any other tool by its name.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from s02_tool_use.tools import Tool

from .compound import Part, analyse
from .programs import wrapper
from .rules import BEHAVIORS, PATH_RULES, Rule


@dataclass
class Decision:
    behavior: str
    """`allow`, `ask` or `deny`."""
    reason: str
    """Why, in a few words for the user: "the rule Bash(rm:*) in .claude/settings.json"."""
    rule: Rule | None = None
    suggestions: list[Rule] = field(default_factory=list)
    """For an ask: the rules "allow always" would add; empty, and that answer is not offered."""
    message: str | None = None
    """For a denial: the whole text the model gets, when it is not the usual one."""
    firm: bool = False
    """For an ask: a rule (or a protected path) asks, not just the mode's default; even bypass mode asks."""


def cite(rule: Rule) -> str:
    """`the rule Bash(rm:*) in .claude/settings.json`."""
    if rule.source == "session":
        return f"the rule {rule} (allowed for this session)"
    return f"the rule {rule} in {rule.source}"


def rules_decision(tool_name: str, tool: Tool | None, tool_input, rules: list[Rule], workdir: Path,
                   home: Path) -> Decision | None:
    """The first deny rule about this call, else the first ask, else the first allow; None if no
    rule is about it (the mode decides then). `tool` is the registry's declaration (None: unknown)."""
    kind = tool.kind if tool else None
    relevant = [rule for rule in rules if rule.covers(tool_name, kind)]
    if kind == "edit":  # subtle: an edit shows the lines it changed, so a Read deny covers it too
        relevant += [rule for rule in rules if rule.behavior == "deny" and rule.covers("read_file", "read")]
    if kind == "shell":
        command = tool_input.get("command") if isinstance(tool_input, dict) else None
        other_denies = [rule for rule in rules if rule.behavior == "deny" and rule not in relevant]
        return command_decision(command if isinstance(command, str) else "", relevant, other_denies)
    path = call_path(tool, tool_input, workdir, home)
    for behavior in BEHAVIORS:
        for rule in relevant:
            if rule.behavior != behavior:
                continue
            if rule.specifier is None or (path and rule.tool in PATH_RULES and rule.matches_path(path, workdir, home)):
                return Decision(behavior, cite(rule), rule, firm=True)
    return None


def call_path(tool: Tool | None, tool_input, workdir: Path, home: Path) -> Path | None:
    """The resolved path a tool with a `path_arg` would touch: `..` and symlinks followed, `~`
    expanded; the work dir when the field is left out (glob and grep search it)."""
    if tool is None or tool.path_arg is None or not isinstance(tool_input, dict):
        return None
    raw = tool_input.get(tool.path_arg) or "."
    if not isinstance(raw, str):
        return None
    path = Path(home, raw[2:]) if raw == "~" or raw.startswith("~/") else Path(workdir, raw)
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None  # a loop or a NUL byte: the tool itself refuses it


# ---------------------------------------------------------------------------------------------
# Shell commands


def command_decision(command: str, rules: list[Rule], other_denies: list[Rule] = ()) -> Decision:
    """A shell command against the `Bash(...)` rules, part by part. `other_denies`: the deny rules
    about other tools (`Read(./secrets/**)`), which code the text does not show may also break."""
    analysis = analyse(command)
    # 1. deny and ask rules see every command the text may run: each part, through wrappers,
    #    inside `$(...)`, `bash -c '...'`, `eval`, function and loop bodies
    for behavior in ("deny", "ask"):
        for rule in rules:
            if rule.behavior == behavior and any(rule.matches_command(form) for form in analysis.forms):
                return Decision(behavior, cite(rule), rule, firm=True)
    # 2. fail closed: what was not understood is never vouched for by an allow rule, and any deny
    #    (or ask) rule may apply to code the text does not show
    if analysis.unknown:
        why = analysis.unknown[0]
        if rule := next((r for r in [*rules, *other_denies] if r.behavior == "deny"), None) or next(
                (r for r in rules if r.behavior == "ask"), None):
            return Decision(rule.behavior, f"it cannot be fully checked ({why}), so {cite(rule)} may apply",
                            rule, firm=True)
        return Decision("ask", f"it cannot be fully checked ({why})")
    if not analysis.parts:
        return Decision("ask", "the command is empty")
    # 3. every part must be allowed on its own; any asked part asks (offering "always" only if it helps)
    verdicts = [part_decision(part, rules) for part in analysis.parts]
    asked = [v for v in verdicts if v.behavior == "ask"]
    if asked:
        helpful = all(v.suggestions for v in asked)
        rules_to_add = list(dict.fromkeys(rule for v in asked for rule in v.suggestions)) if helpful else []
        return Decision("ask", asked[0].reason, asked[0].rule, rules_to_add)
    return Decision("allow", "; ".join(dict.fromkeys(v.reason for v in verdicts)), verdicts[0].rule)


def part_decision(part: Part, rules: list[Rule]) -> Decision:
    """One simple command against the allow rules (deny and ask rules were checked on the whole):
    the command as written, and a wrapper (`bash -c`, `xargs`, `env`...) only by an exact rule."""
    allows = [rule for rule in rules if rule.behavior == "allow"]
    if every := next((rule for rule in allows if rule.specifier is None), None):
        return Decision("allow", cite(every), every)
    if name := wrapper(part.words):
        exact = next((r for r in allows if r.exact and r.matches_command(part.words)), None)
        if exact and not part.file_redirects():
            return Decision("allow", cite(exact), exact)
        return Decision("ask", f"`{name}` runs another command, which only an exact rule can vouch for",
                        suggestions=[] if part.file_redirects() else [Rule("allow", "Bash", part.text)])
    if part.file_redirects():
        return Decision("ask", f"`{part.text}` reads or writes a file through a redirection")
    if rule := next((r for r in allows if r.matches_command(part.words)), None):
        return Decision("allow", cite(rule), rule)
    prefix = prefix_of(part.words)
    suggestion = Rule("allow", "Bash", " ".join(prefix) + ":*") if prefix else Rule("allow", "Bash", part.text)
    return Decision("ask", f"no allow rule matches `{part.text}`", suggestions=[suggestion])


def prefix_of(words: list[str]) -> list[str]:
    """The words an "allow always" rule keeps, as Claude Code suggests them: the program, and the
    subcommand of a program that has them (`git push origin` -> `git push`, `sleep 30` -> `sleep`,
    `npm run test -- -v` -> `npm run test`, `python -m unittest -v` -> `python -m unittest`)."""
    prefix = words[:1]
    name = posixpath.basename(words[0]) if words else ""
    if len(words) > 1 and words[1] in CODE_OPTIONS:  # `python -c '...'`, `git -c core.pager=...`: code in
        return []  # an argument; a prefix rule would allow any code, so only the exact command is offered
    for word in words[1:3]:
        runner = len(prefix) == 2 and prefix[1] in RUNNERS
        if name in SUBCOMMANDS and (len(prefix) == 1 or runner) and SUBCOMMAND.fullmatch(word) or name.startswith("python") and (word == "-m" or prefix[-1] == "-m"):
            prefix.append(word)
        else:
            break
    return prefix


CODE_OPTIONS = frozenset({"-c", "-e", "--eval", "-E", "--exec", "-p"})
SUBCOMMAND = re.compile(r"[a-z][a-z0-9_-]*")
SUBCOMMANDS = frozenset({"git", "npm", "pnpm", "yarn", "bun", "npx", "cargo", "go", "docker", "kubectl", "uv",
                         "pip", "pip3", "make", "poetry", "gh", "dotnet", "mvn", "gradle", "just", "deno", "brew"})
RUNNERS = frozenset({"run", "exec", "x", "dlx", "tool"})
READ_ONLY = frozenset({
    "ls", "cat", "head", "tail", "wc", "grep", "rg", "pwd", "echo", "printf", "which", "type", "file", "stat",
    "du", "df", "tree", "sort", "uniq", "cut", "diff", "cmp", "nl", "basename", "dirname", "realpath",
    "readlink", "date", "whoami", "id", "uname", "hostname", "true", "false", "test", "[", "printenv",
    "jq", "md5sum", "sha256sum", "find", "git",
})
"""Programs plan mode lets run: they only look (with the exceptions `read_only_command` checks)."""
GIT_READS = frozenset({"status", "log", "diff", "show", "rev-parse", "ls-files", "blame", "grep", "describe",
                       "shortlog"})
WRITING_FLAGS = {"find": ("-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"),
                 "sort": ("-o", "--output", "--compress-program"), "tree": ("-o",), "git": ("--output", "-c"),
                 "rg": ("--pre",)}
"""Options that make a reading program write a file or run another program (sed is left out: its
scripts can `w` a file and `e` run a command)."""


def read_only_command(command: str) -> bool:
    """Whether every part only reads: a known program, no option that writes, no file redirection,
    nothing left unanalysed (plan mode runs these, as Claude Code does)."""
    analysis = analyse(command)
    if analysis.unknown or not analysis.parts:
        return False
    for part in analysis.parts:
        words = part.words
        name = posixpath.basename(words[0]) if words else ""
        if name not in READ_ONLY or part.file_redirects() or wrapper(words):
            return False
        if any(word.startswith(flag) for word in words[1:] for flag in WRITING_FLAGS.get(name, ())):
            return False
        if name == "git" and any(w.startswith("-") for w in words[1:2]):  # `git -C dir`, `git -c key=value`
            return False
        if name == "git" and (len(words) < 2 or words[1] not in GIT_READS):
            return False
    return True
