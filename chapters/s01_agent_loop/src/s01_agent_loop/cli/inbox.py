"""`Inbox`: the one place the REPL reads from.

Up to s12 only the user starts a turn, by typing a line. From s13 on, work that runs beside the
conversation reports back on its own: a background command ends (s13), a scheduled prompt falls
due (s14), a teammate writes (s15). Two calls, from any thread:

    inbox.tell(renderable)          a line for the user now: above the line being typed, which
                                    prompt_toolkit redraws intact (its `patch_stdout`)
    inbox.post(prompt, source)      a prompt that runs as a user turn as soon as no turn is running

The REPL takes typed lines and posted prompts from one queue, one at a time, so two turns never run
at once: a post during a turn waits for the turn to end. A post while the REPL waits for a line
interrupts the line editor; the half-typed line is kept and put back in the next prompt.
"""

from __future__ import annotations

import queue
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Posted:
    """A prompt that arrived on its own."""

    prompt: str
    source: str
    """Who sent it, with an icon, shown to the user above the prompt: "⏰ cron 3f2a1b0c (*/5 * * * *)"."""


END = object()
"""What the keyboard sends at Ctrl-D, or at the end of piped input."""


class Inbox:
    def __init__(self, console=None):
        self.console = console  # a rich Console; None: `tell` only records (tests)
        self.told: list = []  # everything told, in order
        self.items: queue.Queue = queue.Queue()  # posted prompts; typed lines too when stdin is a pipe
        self.session = None  # the prompt_toolkit session, while the REPL reads a terminal
        self.kept = ""  # the half-typed line a post interrupted, for the next prompt

    # from any thread -------------------------------------------------------------------------

    def tell(self, item) -> None:
        """Show the user `item` now (rich's print is safe from any thread; above a spinner too)."""
        self.told.append(item)
        if self.console is not None:
            self.console.print(item)

    def post(self, prompt: str, source: str) -> None:
        """Queue a prompt to run as a user turn; wake the line editor if it is waiting."""
        self.items.put(Posted(prompt, source))
        app = self.session.app if self.session is not None else None
        loop = app.loop if app is not None else None
        if loop is not None:
            loop.call_soon_threadsafe(self.interrupt_editor)

    def waiting(self) -> list[Posted]:
        """The posted prompts not yet taken, without taking them."""
        return [item for item in list(self.items.queue) if isinstance(item, Posted)]

    # the REPL's side -------------------------------------------------------------------------

    @contextmanager
    def reading(self, history_file=None, status=None, completer=None):
        """While the REPL runs: a line editor on a terminal (everything printed meanwhile goes above
        its line), or a thread that feeds piped lines into the queue. `status()`, when given, is the
        line under the editor's (a chapter's `status_line`), redrawn every second; `completer()`
        makes the editor's prompt_toolkit `Completer` (slash commands, full's `@path`)."""
        if not sys.stdin.isatty():
            threading.Thread(target=self.read_pipe, daemon=True).start()
            yield self
            return
        from prompt_toolkit.patch_stdout import patch_stdout

        self.session = line_editor(history_file, status, completer=completer() if completer else None)
        try:
            with patch_stdout(raw=True):  # raw: rich's colours pass through
                yield self
        finally:
            self.session = None

    def next(self, timeout: float | None = None):
        """The next thing to do: a typed line (str), a `Posted` prompt, `END`, or None when
        `timeout` seconds pass with neither (a demo's idle wait)."""
        try:
            return self.items.get_nowait()
        except queue.Empty:
            pass
        if self.session is None or timeout is not None:
            try:
                return self.items.get(timeout=timeout)
            except queue.Empty:
                return None
        try:
            line = self.session.prompt("› ", default=self.kept, pre_run=self.interrupt_editor)
        except EOFError:
            return END
        except KeyboardInterrupt:
            self.kept = ""
            raise
        if line is WOKEN:
            return self.items.get_nowait()
        self.kept = ""
        return line

    def interrupt_editor(self) -> None:
        """In the editor's event loop: when a prompt is waiting, leave the editor, keeping its line."""
        app = self.session.app if self.session is not None else None
        if app is None or self.items.empty() or app.future is None or app.future.done():
            return
        self.kept = app.current_buffer.text
        app.exit(result=WOKEN)

    def read_pipe(self) -> None:
        for line in sys.stdin:
            self.items.put(line.rstrip("\n"))
        self.items.put(END)


WOKEN = object()
"""The line editor's result when a post interrupted it."""

STATUS_EVERY = 1.0
"""Seconds between redraws of the status line while the user types."""


def line_editor(history_file=None, status=None, completer=None, **io):
    """prompt_toolkit's `PromptSession`: history in `history_file`, `status` as its bottom toolbar,
    redrawn every `STATUS_EVERY` seconds, and `completer`'s suggestions on Tab (`io`: a test's input
    and output). subtle: on Tab, not while typing: a menu computed on every keystroke delayed the
    typed text on a busy machine until after a prompt posted meanwhile (s14's tmux test)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    history = None
    if history_file is not None:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        history = FileHistory(str(history_file))
    if completer is not None:
        io |= {"completer": completer, "complete_while_typing": False}
    if status is None:
        return PromptSession(history=history, **io)
    return PromptSession(history=history, bottom_toolbar=shielded(status), refresh_interval=STATUS_EVERY, **io)


def shielded(status):
    """`status` that never raises into the prompt: a failure shows as a short marker instead."""

    def toolbar():
        try:
            return status()
        except Exception as error:
            return f" status line failed: {type(error).__name__}"

    return toolbar
