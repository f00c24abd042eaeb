"""The ask: Claude Code's permission dialog, in the terminal.

    ╭─ permission needed ───────────────────────────────────────────────╮
    │ bash  git push origin main                                        │
    │ why: the rule Bash(git push:*) in .claude/settings.json           │
    │ 1. Yes                                                            │
    │ 2. No, and tell the agent what to do differently                  │
    ╰───────────────────────────────────────────────────────────────────╯

When "allow always" can help (no rule decided, and a rule would cover the call) two more answers
appear: don't ask again this session, and the same saved to `.claude/settings.local.json`. With
no terminal (`-q`, tests, the demo) there is no `ConsoleAsk`, and `Permissions.ask` denies instead.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from s01_agent_loop.cli.console import summarize
from s02_tool_use.extension import Verdict
from s02_tool_use.tools import ToolCall

from .permissions import Answer


class ConsoleAsk:
    """Asks on the session's console; Ctrl-C propagates (it cancels the turn), end of input denies."""

    def __init__(self, console: Console, stream=None):
        self.console = console
        self.stream = stream  # None: the terminal; tests pass a file of typed answers

    def __call__(self, call: ToolCall, decision: Verdict) -> Answer:
        options = choices(decision)
        self.console.print(dialog(call, decision, [label for _, label in options]))
        try:
            choice = self.read_choice(len(options))
            answer = options[choice - 1][0]
            reason = self.read("what should it do instead? (Enter to skip) › ") if answer == "deny" else ""
        except EOFError:
            return Answer("deny")
        return Answer(answer, reason)

    def confirm(self, question: str) -> bool:
        """A yes/no question; anything but yes (end of input too) is no."""
        self.console.print(Panel(Text(question), title="confirm", title_align="left", border_style="yellow",
                                 expand=False))
        try:
            return self.read("y/N › ").lower() in ("y", "yes")
        except EOFError:
            return False

    def read_choice(self, n: int) -> int:
        """A number from 1 to n; `y` is 1 and `n` is the last."""
        while True:
            raw = self.read(f"choose 1-{n} › ").lower()
            shortcut = {"y": 1, "yes": 1, "n": n, "no": n}.get(raw)
            if shortcut or (raw.isdigit() and 1 <= int(raw) <= n):
                return shortcut or int(raw)
            self.console.print(f"[yellow]type a number from 1 to {n}[/]")

    def read(self, prompt: str) -> str:
        line = self.console.input(f"[bold yellow]{prompt}[/]", stream=self.stream)
        if self.stream is not None and not line:
            raise EOFError  # subtle: a stream at its end gives "", where input() raises
        return line.strip()


def choices(decision: Verdict) -> list[tuple[str, str]]:
    """The answers offered: (Answer.choice, label)."""
    options = [("once", "Yes")]
    if decision.suggestions:
        rules = ", ".join(str(rule) for rule in decision.suggestions)
        options += [("always", f"Yes, and don't ask again this session for {rules}"),
                    ("save", f"Yes, and save {rules} to .claude/settings.local.json")]
    return [*options, ("deny", "No, and tell the agent what to do differently")]


def dialog(call: ToolCall, decision: Verdict, labels: list[str]) -> Panel:
    lines = [Text.assemble((call.name, "bold"), "  ", summarize(call.input, limit=300)),
             Text(f"why: {decision.reason}", style="dim")]
    lines += [Text(f"{n}. {label}") for n, label in enumerate(labels, 1)]
    return Panel(Group(*lines), title="permission needed", title_align="left", border_style="yellow", expand=False)
