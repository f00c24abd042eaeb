"""`AskRelay`: a teammate's permission question, answered at the lead's terminal.

A teammate's gate (s07) asks like the lead's: a rule that says ask, a shell command in default
mode. But a teammate's thread must not read the terminal: the lead's REPL reads it, and its line
editor may be waiting for a line this very moment. So the question goes the way everything that
arrives on its own goes, through the lead's inbox (s01 cli/inbox.py): it is posted as the slash
command `/approve N`, which the REPL runs as soon as no turn runs. It shows s07's dialog, and the
answer goes back to the teammate's thread, which waits for it.

With no terminal (`-q`, the demo, tests) there is no relay: s07 denies the call with its reason,
and the teammate's model reads it. A teammate process always has none (s16 adds the request and
response protocol a question between processes needs).
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING

from rich.text import Text

from s02_tool_use.extension import Verdict
from s02_tool_use.tools import ToolCall
from s07_permission_system.permissions import Answer, Asker

from .mailbox import POLL

if TYPE_CHECKING:
    from concurrent.futures import Future


class AskRelay:
    def __init__(self, inbox, ask: Asker):
        self.inbox = inbox  # the lead's
        self.ask = ask  # the lead's dialog (s07 `ConsoleAsk`)
        self.waiting: dict[str, tuple[str, ToolCall, Verdict, Future]] = {}  # number -> question
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    def asker_for(self, name: str, stopping: threading.Event) -> Asker:
        """What teammate `name`'s gate calls to ask: post the question, wait for the answer."""

        def ask(call: ToolCall, verdict: Verdict) -> Answer:
            from concurrent.futures import Future

            future: Future = Future()
            with self.lock:
                number = str(next(self.numbers))
                self.waiting[number] = (name, call, verdict, future)
            self.inbox.post(f"/approve {number}", f"✋ {name} asks to use {call.name}")
            while not stopping.is_set():
                try:
                    return future.result(timeout=POLL)
                except TimeoutError:
                    continue
            self.waiting.pop(number, None)
            return Answer("deny", "the team is shutting down")

        return ask

    def answer(self, agent, argument: str, console) -> None:
        """The `/approve N` command: the dialog for question N, in the REPL's thread."""
        with self.lock:
            entry = self.waiting.pop(argument.strip(), None)
        if entry is None:
            console.print(f"[dim]no teammate question {argument.strip()!r} waits (answered, or its team stopped)[/]")
            return
        name, call, verdict, future = entry
        console.print(Text(f"teammate {name} asks:", style="bold yellow"))
        answer = Answer("deny")
        try:
            answer = self.ask(call, verdict)
        finally:  # subtle: Ctrl-C at the dialog is a no, and the teammate is not left waiting
            future.set_result(answer)
