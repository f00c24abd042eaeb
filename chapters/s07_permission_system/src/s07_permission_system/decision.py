"""What the rules say about one tool call: deny, ask or allow, why, and what "allow always" would add.

A shell command (a tool of kind "shell") is decided part by part (`compound.py`): a deny rule that
meets any part, or any program a part may run, denies the whole; a part that is asked about, or that
no rule allows, makes the whole an ask; only when every part is allowed is the command allowed. A
tool with a `path_arg` is decided by the resolved path; any other tool by its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from s02_tool_use.tools import Tool

from .compound import Part, Unparseable, command_forms, mentioned_commands, split_command, wrapper
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
    if kind == "shell":
        command = tool_input.get("command") if isinstance(tool_input, dict) else None
        return command_decision(command if isinstance(command, str) else "", relevant)
    path = call_path(tool, tool_input, workdir, home)
    for behavior in BEHAVIORS:
        for rule in relevant:
            if rule.behavior != behavior:
                continue
            if rule.specifier is None or (path and rule.tool in PATH_RULES and rule.matches_path(path, workdir, home)):
                return Decision(behavior, cite(rule), rule)
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


def command_decision(command: str, rules: list[Rule]) -> Decision:
    """A shell command against the `Bash(...)` rules, part by part."""
    # 1. split it; what cannot be split is asked about, unless a deny rule meets any of its words
    try:
        parts = split_command(command)
    except Unparseable as why:
        return unparseable_decision(command, str(why), rules)
    if not parts:
        return Decision("ask", "the command is empty")
    # 2. decide each part on its own
    verdicts = [part_decision(part, rules) for part in parts]
    # 3. any denied part denies the whole; any asked part asks (offering "always" only if it helps)
    if denied := next((v for v in verdicts if v.behavior == "deny"), None):
        return denied
    asked = [v for v in verdicts if v.behavior == "ask"]
    if asked:
        helpful = all(v.suggestions for v in asked)
        rules_to_add = list(dict.fromkeys(rule for v in asked for rule in v.suggestions)) if helpful else []
        return Decision("ask", asked[0].reason, asked[0].rule, rules_to_add)
    return Decision("allow", "; ".join(dict.fromkeys(v.reason for v in verdicts)), verdicts[0].rule)


def part_decision(part: Part, rules: list[Rule]) -> Decision:
    """One simple command: deny and ask rules see every program it may run; allow rules only the
    command as written, and a wrapper (`bash -c`, `xargs`, `env`...) only an exact rule."""
    forms = command_forms(part.words)
    for behavior in ("deny", "ask"):
        for rule in rules:
            if rule.behavior == behavior and any(rule.matches_command(form) for form in forms):
                return Decision(behavior, cite(rule), rule)
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
    return Decision("ask", f"no allow rule matches `{part.text}`",
                    suggestions=[Rule("allow", "Bash", " ".join(prefix_of(part.words)) + ":*")])


def unparseable_decision(command: str, why: str, rules: list[Rule]) -> Decision:
    """A command we cannot split: deny and ask rules see every run of its words (so
    `ls $(rm -rf x)` meets `Bash(rm:*)`); only an exact rule for the whole command allows it."""
    forms = mentioned_commands(command)
    for behavior in ("deny", "ask"):
        for rule in rules:
            if rule.behavior == behavior and any(rule.matches_command(form) for form in forms):
                return Decision(behavior, cite(rule), rule)
    whole = command.strip()
    for rule in rules:
        if rule.behavior == "allow" and (rule.specifier is None or rule.specifier.strip() == whole):
            return Decision("allow", cite(rule), rule)
    return Decision("ask", f"it cannot be checked part by part ({why})", suggestions=[Rule("allow", "Bash", whole)])


def prefix_of(words: list[str]) -> list[str]:
    """The words an "allow always" rule keeps: the program and its first word that is not an
    option (`git push origin` -> `git push`, `python -m unittest -v` -> `python -m unittest`)."""
    prefix = []
    for word in words[:3]:
        prefix.append(word)
        if len(prefix) >= 2 and not word.startswith("-"):
            break
    return prefix
