"""Which hooks are in force: Claude Code's `hooks` block, read from s07's settings files.

The block maps an event to matcher groups, each with a list of command hooks:

    "hooks": {
      "PreToolUse": [
        {"matcher": "edit_file|write_file",
         "hooks": [{"type": "command", "command": "python .claude/hooks/guard.py", "timeout": 10}]}
      ],
      "Stop": [{"hooks": [{"type": "command", "command": "python .claude/hooks/tests.py"}]}]
    }

The lists of the three files add up (user, project, local, in that order). A bad entry is
skipped with a warning that names the file and the entry; the good ones around it still count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from s02_tool_use.settings import read_settings

EVENTS = ("PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop", "SubagentStop", "SessionStart", "PreCompact",
          "SessionEnd", "TeammateIdle", "TaskCompleted", "WorktreeCreate", "WorktreeRemove")
"""Claude Code's hook events this course's harness emits. The first seven are s08's own; the others
come with the chapters that emit them (`agent.emit(event, **hook_input)`: s13-s18), and their
hooks get the event's data as JSON, and block with exit 2 (stderr is the reason)."""
MATCHED_ON = {"PreToolUse": "tool_name", "PostToolUse": "tool_name", "SessionStart": "source",
              "PreCompact": "trigger"}
"""What the matcher is tested against, per event; the other events ignore it (they run every hook)."""
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class HookCommand:
    event: str
    matcher: str
    """A regex that must match the whole name: `bash`, `edit_file|write_file`, `mcp__.*`; "" or `*`: all."""
    command: str
    """Run by the shell in the work dir, JSON on its stdin."""
    timeout: float
    """Seconds before the command and everything it started are killed."""
    path: Path
    """The settings file it came from."""
    scope: str
    """`user`, `project` or `local`."""

    def matches(self, value: str | None) -> bool:
        if self.matcher in ("", "*") or self.event not in MATCHED_ON:
            return True
        return value is not None and re.fullmatch(self.matcher, value) is not None

    def label(self) -> str:
        """How notices and errors name this hook: `PreToolUse[bash] hook `python .claude/hooks/x.py``."""
        where = f"[{self.matcher}]" if self.matcher not in ("", "*") and self.event in MATCHED_ON else ""
        return f"{self.event}{where} hook `{short_command(self.command)}`"


def short_command(command: str) -> str:
    """The command as written, without the project-dir prefix: `python .claude/hooks/x.py`."""
    for prefix in ('"$CLAUDE_PROJECT_DIR"/', "$CLAUDE_PROJECT_DIR/", '"${CLAUDE_PROJECT_DIR}"/', "${CLAUDE_PROJECT_DIR}/"):
        command = command.replace(prefix, "")
    return command


@dataclass
class HookConfig:
    hooks: list[HookCommand] = field(default_factory=list)
    """Every valid hook, in file order and then in the order written."""
    warnings: list[str] = field(default_factory=list)
    """One line per hook that is understood but cannot run here (a `prompt` hook)."""
    errors: list[str] = field(default_factory=list)
    """One line per file or entry that cannot be understood: the agent stops on these (s07's rule)."""

    def matching(self, event: str, value: str | None = None) -> list[HookCommand]:
        """The hooks to run for `event`, e.g. `matching("PreToolUse", "bash")`."""
        return [hook for hook in self.hooks if hook.event == event and hook.matches(value)]


def load_hooks(workdir: Path, home: Path | None = None) -> HookConfig:
    """Read the `hooks` block of every settings file (see s07's `read_settings`)."""
    config = HookConfig()
    for file in read_settings(workdir, home):
        if file.error:
            config.errors.append(file.error)
            continue
        block = file.data.get("hooks")
        if block is None:
            continue
        if not isinstance(block, dict):
            config.errors.append(f"{file.path}: `hooks` must be an object of events")
            continue
        for event, groups in block.items():
            parse_event(config, file, event, groups)
    return config


def parse_event(config: HookConfig, file, event: str, groups) -> None:
    where = f"{file.path}: hooks.{event}"
    if event not in EVENTS:
        config.errors.append(f"{where}: unknown event; the events are {', '.join(EVENTS)}")
        return
    if not isinstance(groups, list):
        config.errors.append(f"{where}: expected a list of matcher groups")
        return
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
            config.errors.append(f"{where}[{i}]: expected {{\"matcher\": ..., \"hooks\": [...]}}")
            continue
        matcher = group.get("matcher") or ""
        problem = matcher_problem(matcher)
        if problem:
            config.errors.append(f"{where}[{i}].matcher: {problem}")
            continue
        for j, entry in enumerate(group["hooks"]):
            hook, problem = parse_command(entry)
            if problem:
                unsupported = isinstance(entry, dict) and entry.get("type") in OTHER_TYPES
                (config.warnings if unsupported else config.errors).append(f"{where}[{i}].hooks[{j}]: {problem}")
                continue
            config.hooks.append(HookCommand(event, matcher, *hook, path=file.path, scope=file.scope))


def matcher_problem(matcher) -> str | None:
    if not isinstance(matcher, str):
        return f"must be a string, got {matcher!r}"
    try:
        re.compile(matcher if matcher != "*" else "")
    except re.error as error:
        return f"{matcher!r} is not a valid regular expression ({error})"
    return None


OTHER_TYPES = ("prompt", "agent")
"""Claude Code's hook types this harness understands but does not run (it runs `command` hooks)."""


def parse_command(entry) -> tuple[tuple[str, float], str | None]:
    """`(command, timeout)` from one hook entry, or the reason it is skipped."""
    if not isinstance(entry, dict):
        return ("", 0), f"expected an object, got {entry!r}"
    if entry.get("type") != "command":
        return ("", 0), f"type {entry.get('type')!r} is not supported; this harness runs \"command\" hooks"
    command = entry.get("command")
    if not isinstance(command, str) or not command.strip():
        return ("", 0), "`command` must be a non-empty string"
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        return ("", 0), f"`timeout` must be a positive number of seconds, got {timeout!r}"
    return (command, float(timeout)), None
