"""Chapter 7: the permission gate. Every tool call passes it before it runs.

Until s06 the model could run any command and write any file in the work dir. `Permissions` is
an extension at s02's `pre_tool_use` point that decides each call: allow it, deny it (the model
gets an `is_error` result that says why and what to do), or ask the user. It combines
- the mode: `default` (ask before edits and shell), `acceptEdits`, `plan` (read-only),
  `bypassPermissions` (everything but deny rules);
- the rules of the settings files (`rules.py`), deny before ask before allow, shell commands
  part by part (`decision.py`, `compound.py`);
- what a PreToolUse hook said about this call (`hint`, s08);
- the user's answer to the ask (`ask.py`); with no terminal, an ask is a denial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.text import Text

from s02_tool_use.harness import Extension
from s02_tool_use.tools import ToolCall, ToolResult

from .decision import Decision, call_path, rules_decision
from .rules import Rule, rules_from_settings
from .settings import read_settings, save_rule, value_at

Mode = Literal["default", "acceptEdits", "plan", "bypassPermissions"]
MODES = ("default", "acceptEdits", "plan", "bypassPermissions")
KINDS = {"bash": "shell", "read_file": "read", "glob": "read", "grep": "read", "write_file": "edit",
         "edit_file": "edit", "TodoWrite": "internal", "Task": "internal", "Skill": "internal", "compact": "internal"}
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


Asker = Callable[[ToolCall, Decision], Answer]


class Permissions(Extension):
    def __init__(self, mode: Mode = "default", rules: list[Rule] | None = None, ask: Asker | None = None,
                 home: Path | None = None):
        if mode not in MODES:
            raise ValueError(f"unknown permission mode {mode!r}; choose one of {', '.join(MODES)}")
        self.mode = mode
        """One of `MODES`; `/mode` changes it during a session."""
        self.rules = list(rules) if rules is not None else None  # None: read the settings files at first use
        self.session_rules: list[Rule] = []  # "allow always" answers
        self.problems: list[str] = []  # settings files or rules that were skipped
        self.ask = ask  # None: no terminal, so an ask is a denial
        self.home = Path.home() if home is None else Path(home)
        self.hints: dict[str, str] = {}
        self.kinds: dict[str, str] = dict(KINDS)
        """Tool name -> "read", "edit", "shell" or "internal" (the harness's own state: always allowed).
        Later chapters register their tools: `Permissions.of(agent).kinds["memory"] = "internal"`."""

    def hint(self, call_id: str, behavior: Literal["allow", "ask"]) -> None:
        """A PreToolUse step that ran before the gate (s08's hooks) decided for this call: "allow"
        (do not ask the user; deny rules and plan mode still refuse) or "ask" (ask even if a rule
        allows it)."""
        self.hints[call_id] = behavior

    def for_subagent(self) -> Permissions:
        """s04's protocol: a subagent's calls pass the same gate, mode and session rules."""
        return self

    def load(self, agent) -> list[Rule]:
        """The rules in force: the settings files' (read once) and this session's."""
        if self.rules is None:
            self.rules, self.problems = rules_from_settings(read_settings(agent.workdir, self.home))
        return [*self.rules, *self.session_rules]

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart":
            self.load(agent)
            for problem in self.problems:
                agent.view.show(Text(f"warning: permissions: {problem} (skipped)", style="yellow"))

    # ---------------------------------------------------------------------------------------

    def pre_tool_use(self, agent, call: ToolCall) -> str | None:
        """The gate: None lets the call run; a string is the denial the model gets."""
        decision = self.decide(agent, call)
        if decision.behavior == "ask":
            decision = self.resolve(agent, call, decision)
        if decision.behavior != "deny":
            return None
        agent.view.show(Text.assemble(("✗ permission denied", "bold red"), (f": {decision.reason}", "red")))
        return decision.message or f"Permission to use {describe(call)} was denied by {decision.reason}. {ADVICE}"

    def decide(self, agent, call: ToolCall) -> Decision:
        """Allow, ask or deny, before anyone is asked."""
        kind = self.kinds.get(call.name)
        hint = self.hints.pop(call.id, None)
        # 1. the rules: deny beats everything, in every mode
        found = rules_decision(call.name, call.input, self.load(agent), agent.workdir, self.home)
        if found and found.behavior == "deny":
            return found
        # 2. the mode: bypass allows the rest; plan refuses whatever is not a read
        if self.mode == "bypassPermissions":
            return Decision("allow", "bypassPermissions mode")
        if self.mode == "plan" and kind not in ("read", "internal"):
            return Decision("deny", "plan mode refuses edits and shell commands",
                            message=PLAN_DENIAL.format(what=describe(call)))
        if kind == "internal":
            return Decision("allow", "it only touches the harness's own state")
        # 3. a hook's word about this call, then the ask and allow rules
        if hint == "ask":
            return Decision("ask", "a PreToolUse hook asks for approval")
        if hint == "allow":
            return Decision("allow", "a PreToolUse hook allowed it")
        if found:
            return found
        # 4. no rule: reads are free, acceptEdits accepts edits, the rest is asked
        if kind == "read" or (kind == "edit" and self.mode == "acceptEdits"):
            return Decision("allow", f"{self.mode} mode allows {kind}s")
        what = {"edit": "edits", "shell": "shell commands"}.get(kind, f"the tool {call.name}")
        return Decision("ask", f"{self.mode} mode asks before {what}", suggestions=self.suggest(agent, call))

    def resolve(self, agent, call: ToolCall, decision: Decision) -> Decision:
        """Turn an ask into allow or deny: the user's answer, or a denial with no terminal."""
        if self.ask is None:
            return Decision("deny", f"needs approval ({decision.reason}), and there is no terminal to ask",
                            message=f"Permission to use {describe(call)} was denied: it needs the user's approval "
                                    f"({decision.reason}), and this session has no terminal to ask in. {ADVICE}")
        answer = self.ask(call, decision)  # subtle: Ctrl-C here cancels the turn, like anywhere else
        if answer.choice == "deny":
            said = f" They said: {answer.reason}" if answer.reason else " Do not retry it; ask the user how to go on."
            return Decision("deny", "you said no", message=f"The user denied permission to use {describe(call)}.{said}")
        if answer.choice in ("always", "save"):
            self.session_rules += decision.suggestions
        if answer.choice == "save":
            for rule in decision.suggestions:
                try:
                    save_rule(agent.workdir, "allow", str(rule))
                except ValueError as error:
                    agent.view.show(Text(f"warning: {error}", style="yellow"))
        return Decision("allow", "you allowed it")

    def suggest(self, agent, call: ToolCall) -> list[Rule]:
        """The rule "allow always" adds when no rule decided: this file, or this tool."""
        path = call_path(call.name, call.input, agent.workdir, self.home)
        root = agent.workdir.resolve()
        if self.kinds.get(call.name) == "edit" and path is not None:
            return [Rule("allow", "Edit", "./" + path.relative_to(root).as_posix())] if path.is_relative_to(root) else []
        return [Rule("allow", call.name)]

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        """glob and grep over a folder that holds denied files: leave those files out of the result."""
        hidden = [r for r in self.load(agent) if r.behavior == "deny" and r.specifier and r.covers("read_file")]
        if call.name not in ("glob", "grep") or result.is_error or not hidden:
            return None
        root = agent.workdir.resolve()

        def visible(line: str) -> bool:
            name = line.split(":", 1)[0] if call.name == "grep" else line  # grep: `path:line:text`
            return not any(rule.matches_path(root / name, agent.workdir, self.home) for rule in hidden)

        lines = result.content.splitlines()
        kept = [line for line in lines if visible(line)]
        if len(kept) == len(lines):
            return None
        return ToolResult("\n".join([*kept, f"[{len(lines) - len(kept)} results in files that deny rules hide "
                                             "were left out]"]))


# ---------------------------------------------------------------------------------------------


def describe(call: ToolCall) -> str:
    """`bash with command `rm -rf build``, `edit_file on `src/a.py``, or the tool's name."""
    tool_input = call.input if isinstance(call.input, dict) else {}
    if call.name == "bash" and isinstance(tool_input.get("command"), str):
        return f"bash with command `{tool_input['command']}`"
    if isinstance(tool_input.get("path"), str):
        return f"{call.name} on `{tool_input['path']}`"
    return call.name


def default_mode(workdir: Path, home: Path | None = None) -> str:
    """`permissions.defaultMode` from the most specific settings file that sets a valid one."""
    for file in reversed(read_settings(workdir, home)):
        if (mode := value_at(file.data, ("permissions", "defaultMode"))) in MODES:
            return mode
    return "default"
