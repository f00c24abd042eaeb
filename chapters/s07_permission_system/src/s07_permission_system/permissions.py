"""Chapter 7: the permission gate. Every tool call passes it before it runs.

Until s06 the model could run any command and write any file in the work dir. `Permissions` is
an extension at s02's `pre_tool_use` point that gives each call a verdict: allow it, deny it (the
model gets an `is_error` result that says why and what to do), or ask the user. It combines
- the session's mode (`agent.config.permission_mode`): `default` (ask before edits and shell),
  `acceptEdits`, `plan` (read-only), `bypassPermissions` (everything but deny rules);
- what kind of access the tool needs: its own declaration (`Tool.kind`, `Tool.path_arg`);
- the rules of the settings files (`rules.py`), deny before ask before allow, shell commands
  part by part (`decision.py`, `compound.py`).
The harness folds its verdict with the other extensions' (a PreToolUse hook's allow settles only
an ask that no rule made), and when the fold is "ask", s07 asks the user at the `ask` point
(`ask.py`); with no terminal, an ask is a denial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal, get_args

from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Verdict
from s02_tool_use.harness import PermissionMode
from s02_tool_use.settings import SettingsFile, read_settings, value_at
from s02_tool_use.tools import ToolCall, ToolResult

from .decision import Decision, call_path, read_only_command, rules_decision
from .rules import CASE_INSENSITIVE, Rule, save_rule
from .validation import permission_rules

MODES: tuple[str, ...] = get_args(PermissionMode)  # default, acceptEdits, plan, bypassPermissions
ADVICE = "Do not try to work around this; ask the user or choose another approach."
PLAN_DENIAL = ("Permission to use {what} was denied: the session is in plan mode, where edits and shell commands "
               "are refused. Keep to reading and planning, and present your plan; the user can leave plan mode "
               "with /mode.")


@dataclass
class Answer:
    """The user's answer to an ask."""

    choice: Literal["once", "always", "save", "deny"]
    """Allow this call; allow it for the session; allow it and save the rule; deny it."""
    reason: str = ""
    """With `deny`: what the user wants done instead, passed on to the model."""


Asker = Callable[[ToolCall, Verdict], Answer]


class Permissions(Extension):
    def __init__(self, rules: list[Rule] | None = None, ask: Asker | None = None, home: Path | None = None,
                 ignore_broken: bool = False):
        self.rules = list(rules) if rules is not None else None  # None: read the settings files at first use
        self.ignore_broken = ignore_broken
        """Skip a settings file that cannot be understood (with a warning) instead of stopping."""
        self.session_rules: list[Rule] = []  # "allow always" answers
        self.added_rules: list[Rule] = []  # from elsewhere than the settings files (`add_rules`)
        self.denied: dict[str, ToolCall] = {}
        """Every call this gate refused (a rule, plan mode, the user, no terminal to ask), by tool_use
        id, in order: what full's `-q` reports as Claude Code's `permission_denials`."""
        self.problems: list[str] = []  # settings files or rules that were skipped
        self.asker = ask  # None: no terminal, so an ask is a denial
        self.home = Path.home() if home is None else Path(home)

    def for_subagent(self) -> Permissions:
        """A subagent's calls pass the same gate and session rules (its mode is copied with its config)."""
        return self

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import set_mode, show_permissions

        return {"mode": SlashCommand("show the permission mode; /mode MODE switches (default, acceptEdits, plan, "
                                     "bypassPermissions)", partial(set_mode, self)),
                "permissions": SlashCommand("the permission rules in force and where each comes from",
                                            partial(show_permissions, self))}

    def load(self, agent) -> list[Rule]:
        """The rules in force: the settings files' (read once), those added from elsewhere, this session's."""
        if self.rules is None:
            self.rules, self.problems = permission_rules(read_settings(agent.workdir, self.home), self.ignore_broken)
        return [*self.rules, *self.added_rules, *self.session_rules]

    def add_rules(self, rules: list[Rule]) -> None:
        """Rules from a source other than the settings files (full's `--allowedTools` and
        `--disallowedTools`), in force from now on. They join the others, so deny > ask > allow
        holds across every source, and `/permissions` shows each with its `source`. Check each
        the way a settings file's are with `validation.checked_rule`."""
        self.added_rules += rules

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart":
            self.load(agent)
            for problem in self.problems:
                agent.view.notice(Text(f"warning: permissions: {problem} (skipped)", style="yellow"))

    # ---------------------------------------------------------------------------------------

    def pre_tool_use(self, agent, call: ToolCall) -> Verdict:
        """The gate's verdict; a denial is shown to the user here, an ask is settled at `ask`."""
        decision = self.decide(agent, call)
        if decision.behavior == "deny":
            self.denied[call.id] = call
            self.show_denial(agent, decision)
            return Verdict("deny", decision.reason, decision.message or self.denial(call, decision))
        # subtle: only an ask rule's (or a protected path's) ask is firm; "no rule allows it" is the
        # mode's default, which a PreToolUse hook's explicit allow settles
        return Verdict(decision.behavior, decision.reason, by_default=decision.behavior == "ask" and not decision.firm,
                       suggestions=decision.suggestions)

    def decide(self, agent, call: ToolCall) -> Decision:
        """Allow, ask or deny, before anyone is asked."""
        mode = agent.config.permission_mode
        tool = agent.tools.tools.get(call.name)
        kind = tool.kind if tool else None  # the tool's own declaration; None: unknown, so asked
        # 1. the rules: deny beats everything, and an ask rule asks, in every mode
        found = rules_decision(call.name, tool, call.input, self.load(agent), agent.workdir, self.home)
        if found and (found.behavior == "deny" or found.firm and found.behavior == "ask"):
            return found
        # 2. the mode: bypass allows the rest; plan refuses whatever is not a read (a shell
        #    command that only reads, `ls` or `git log`, is a read)
        if mode == "bypassPermissions":
            return Decision("allow", "bypassPermissions mode")
        if mode == "plan" and kind not in ("read", "internal") and not self.only_reads(call, tool):
            return Decision("deny", "plan mode refuses edits and shell commands",
                            message=PLAN_DENIAL.format(what=describe(call)))
        if kind == "internal":
            return Decision("allow", "it only touches the harness's own state")
        # 3. protected paths: the repository's and the harness's own configuration runs code later
        #    (a git hook, a settings file that allows Bash): asked about even where edits are allowed
        if kind == "edit" and (where := protected(call_path(tool, call.input, agent.workdir, self.home), agent.workdir)):
            return Decision("ask", f"{where} is protected: a change there can run code later", firm=True)
        # 4. the allow rules
        if found:
            return found
        # 5. no rule: reads are free, acceptEdits accepts edits, the rest is asked
        if kind == "read" or (kind == "edit" and mode == "acceptEdits"):
            return Decision("allow", f"{mode} mode allows {kind}s")
        what = {"edit": "edits", "shell": "shell commands"}.get(kind, f"the tool {call.name}")
        return Decision("ask", f"{mode} mode asks before {what}", suggestions=self.suggest(agent, call))

    @staticmethod
    def only_reads(call: ToolCall, tool) -> bool:
        """A call plan mode lets through besides reads: a shell command that only reads, or a tool
        that declares it changes nothing (`Tool.read_only`, e.g. an MCP tool whose server says so)."""
        if tool is not None and tool.read_only:
            return True
        command = call.input.get("command") if isinstance(call.input, dict) else None
        return tool is not None and tool.kind == "shell" and isinstance(command, str) and read_only_command(command)

    def ask(self, agent, call: ToolCall, verdict: Verdict) -> Verdict:
        """Turn the folded ask into allow or deny: the user's answer, or a denial with no terminal."""
        if self.asker is None:
            reason = f"needs approval ({verdict.reason}), and there is no terminal to ask"
            message = (f"Permission to use {describe(call)} was denied: it needs the user's approval "
                       f"({verdict.reason}), and this session has no terminal to ask in. {ADVICE}")
            self.denied[call.id] = call
            self.show_denial(agent, Decision("deny", reason))
            return Verdict("deny", reason, message)
        answer = self.asker(call, verdict)  # subtle: Ctrl-C here cancels the turn, like anywhere else
        if answer.choice == "deny":
            said = f" They said: {answer.reason}" if answer.reason else " Do not retry it; ask the user how to go on."
            self.denied[call.id] = call
            self.show_denial(agent, Decision("deny", "you said no"))
            return Verdict("deny", "you said no", f"The user denied permission to use {describe(call)}.{said}")
        if answer.choice in ("always", "save"):
            self.session_rules += verdict.suggestions
        if answer.choice == "save":
            for rule in verdict.suggestions:
                try:
                    save_rule(agent.workdir, "allow", str(rule))
                except ValueError as error:
                    agent.view.notice(Text(f"warning: {error}", style="yellow"))
        return Verdict("allow", "you allowed it")

    def suggest(self, agent, call: ToolCall) -> list[Rule]:
        """The rule "allow always" adds when no rule decided: this file, or this tool."""
        tool = agent.tools.tools.get(call.name)
        path = call_path(tool, call.input, agent.workdir, self.home)
        root = agent.workdir.resolve()
        if tool is not None and tool.kind == "edit" and path is not None:
            return [Rule("allow", "Edit", "./" + path.relative_to(root).as_posix())] if path.is_relative_to(root) else []
        return [Rule("allow", call.name)]

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        """A result that lists files (glob, grep: `result.files`) over a folder that holds denied files:
        leave those files' lines out, by the tool's own record of where each line came from."""
        hidden = [r for r in self.load(agent) if r.behavior == "deny" and r.specifier and r.covers("read_file", "read")]
        if result.files is None or result.is_error or not hidden:
            return None
        root = agent.workdir.resolve()
        lines = result.content.split("\n")
        if len(lines) != len(result.files):
            return ToolResult("[the result could not be checked against the deny rules, so it is withheld]", True)

        def visible(file: str | None) -> bool:
            return file is None or not any(rule.matches_path(root / file, agent.workdir, self.home) for rule in hidden)

        kept = [(line, file) for line, file in zip(lines, result.files, strict=True) if visible(file)]
        if len(kept) == len(lines):
            return None
        note = f"[{len(lines) - len(kept)} results in files that deny rules hide were left out]"
        return ToolResult("\n".join([*(line for line, _ in kept), note]), files=[*(f for _, f in kept), None])

    def denial(self, call: ToolCall, decision: Decision) -> str:
        return f"Permission to use {describe(call)} was denied by {decision.reason}. {ADVICE}"

    @staticmethod
    def show_denial(agent, decision: Decision) -> None:
        agent.view.notice(Text.assemble(("✗ permission denied", "bold red"), (f": {decision.reason}", "red")))


# ---------------------------------------------------------------------------------------------


def describe(call: ToolCall) -> str:
    """`bash with command `rm -rf build``, `edit_file on `src/a.py``, or the tool's name."""
    tool_input = call.input if isinstance(call.input, dict) else {}
    if call.name == "bash" and isinstance(tool_input.get("command"), str):
        return f"bash with command `{tool_input['command']}`"
    if isinstance(tool_input.get("path"), str):
        return f"{call.name} on `{tool_input['path']}`"
    return call.name


def starting_mode(chosen: str | None, workdir: Path, confirm: Callable[[str], bool] | None,
                  warn: Callable[[str], None]) -> str:
    """The session's mode: the command line's, else the settings'. subtle: a repository you just
    cloned must not switch every check off by itself, so `bypassPermissions` from the checked-in
    `.claude/settings.json` needs the user's yes (and with no terminal to ask, it is not used)."""
    if chosen:
        return chosen
    mode, file = default_mode(workdir)
    if mode == "bypassPermissions" and file is not None and file.scope == "project":
        question = (f"{file.path} (checked in with the project) sets defaultMode bypassPermissions: every "
                    "check off but deny and ask rules. Use it?")
        if confirm is None or not confirm(question):
            why = "there is no terminal to confirm it" if confirm is None else "you said no"
            warn(f"permissions: not using bypassPermissions from {file.path} ({why}); mode: default. "
                 "Choose it with --permission-mode bypassPermissions.")
            return "default"
    return mode


PROTECTED = (".git", ".claude/settings.json", ".claude/settings.local.json", ".claude/hooks", ".mcp.json",
             ".vscode", ".idea")
"""Paths (from the work dir) whose change can run code later: `.git/config` (`core.fsmonitor`), git
hooks, the settings that grant permissions and define hooks, MCP servers, editor tasks."""


def protected(path: Path | None, workdir: Path) -> str | None:
    """The protected path `path` is in, or None."""
    root = Path(workdir).resolve()
    if path is None or not path.is_relative_to(root):
        return None
    relative = path.relative_to(root).as_posix()
    if CASE_INSENSITIVE:  # subtle: on macOS and Windows `.GIT/config` is `.git/config`
        relative = relative.lower()
    return next((p for p in PROTECTED if relative == p or relative.startswith(p + "/")), None)


def default_mode(workdir: Path, home: Path | None = None) -> tuple[str, SettingsFile | None]:
    """`permissions.defaultMode` from the most specific settings file that sets a valid one, and that file."""
    for file in reversed(read_settings(workdir, home)):
        if (mode := value_at(file.data, ("permissions", "defaultMode"))) in MODES:
            return mode, file
    return "default", None
