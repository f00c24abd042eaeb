"""The `permissions` block of the settings files, checked before any rule is used.

A permission layer that skips what it cannot read fails open: a trailing comma, and the deny rule
that protected `secrets/` is gone without a word. So a settings file that exists but cannot be
understood stops the agent with one line naming the file, the place and the problem; only
`--ignore-broken-settings` runs on (with the other files' rules, and a warning per file skipped).

pydantic checks the shape (`"deny": "Bash(rm:*)"` is not a list; `"denny"` is not a key); each rule
is parsed; a rule for `read(...)` or `bash(...)` is refused as the near miss of `Read` or `Bash`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from s02_tool_use.harness import PermissionMode
from s02_tool_use.settings import SettingsError, SettingsFile

from .rules import BEHAVIORS, RULE_KINDS, RULE_TOOLS, SOURCES, Rule, parse_rule

CLAUDE_CODE_TOOLS = frozenset({"Bash", "Read", "Edit", "Write", "MultiEdit", "Glob", "Grep", "LS", "WebFetch",
                               "WebSearch", "NotebookEdit", "NotebookRead", "Task", "TodoWrite", "Skill"})


class PermissionsBlock(BaseModel):
    """`permissions` in a settings file, as Claude Code documents it."""

    model_config = ConfigDict(extra="forbid", strict=True)
    allow: list[str] = []
    ask: list[str] = []
    deny: list[str] = []
    defaultMode: PermissionMode | None = None  # noqa: N815 - the file's own key
    additionalDirectories: list[str] = []  # noqa: N815
    disableBypassPermissionsMode: Literal["disable"] | None = None  # noqa: N815


def permission_rules(files: list[SettingsFile], ignore_broken: bool = False) -> tuple[list[Rule], list[str]]:
    """Every rule of the settings files. A file that cannot be understood raises `SettingsError`,
    or, with `ignore_broken`, is skipped whole and named in the returned problems."""
    rules, problems = [], []
    for file in files:
        found, problem = file_rules(file)
        if problem and not ignore_broken:
            raise SettingsError(f"{problem} (fix it, or run with --ignore-broken-settings to skip this file)")
        if problem:
            problems.append(problem)
        else:
            rules += found
    return rules, problems


def file_rules(file: SettingsFile) -> tuple[list[Rule], str | None]:
    """One file's rules, or the first problem that makes the file unusable."""
    if file.error:
        return [], file.error
    block = file.data.get("permissions")
    if block is None:
        return [], None
    try:
        checked = PermissionsBlock.model_validate(block)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in ("permissions", *first["loc"]))
        return [], f"{file.path}: {where}: {first['msg']}"
    rules = []
    for behavior in BEHAVIORS:
        for n, text in enumerate(getattr(checked, behavior)):
            try:
                rules.append(checked_rule(text, behavior, SOURCES.get(file.scope, str(file.path))))
            except ValueError as error:
                return [], f"{file.path}: permissions.{behavior}[{n}]: {error}"
    return rules, None


def checked_rule(text: str, behavior: str, source: str) -> Rule:
    """One rule as a settings file's list holds it, parsed and checked the same way wherever it comes
    from (a settings file, the command line's `--allowedTools`): ValueError if it is malformed or
    names a known tool in the wrong case."""
    rule = parse_rule(text, behavior, source)
    if near_miss := misspelled(rule.tool):
        raise ValueError(f"{text!r} names no tool; did you mean {near_miss!r}? (tool names are case-sensitive)")
    return rule


def misspelled(tool: str) -> str | None:
    """The known tool name `tool` differs from only by case (`read` for `Read`), or None. Other
    unknown names stay: they may be tools of a later chapter or of an MCP server."""
    known = {*RULE_TOOLS, *RULE_KINDS, *CLAUDE_CODE_TOOLS}
    if tool in known or tool.startswith("mcp__"):
        return None
    return next((name for name in sorted(known) if name.lower() == tool.lower()), None)
