"""What the user sees: the `View` of the command line, drawn with rich.

While waiting for the model: a spinner. While it writes: its Markdown, re-rendered as it streams.
Tool calls: one line each, then the first lines of the result. Several calls may run at once
(s20): one spinner names them all, and a result whose call line is no longer the last one printed
gets a line saying whose it is. Under `-q` all of this goes to stderr, so stdout carries only the
final answer.

Off a terminal (`-q 2>log`, a pipe) nothing can be redrawn, so there is no spinner and no live
display (a spinner is a `Live` with its own thread, started and stopped on every model call), and
the tool lines and previews are written as plain text, indented as on a terminal, without rich's
layout (about half a millisecond a preview): they are the log the user reads.
"""

from __future__ import annotations

import json
import threading
import time

from rich.console import Console
from rich.live import Live
from rich.padding import Padding
from rich.text import Text

from ..agent import View

PREVIEW_LINES = 6


class ConsoleView(View):
    def __init__(self, console: Console, *, quiet: bool = False, indent: int = 0, verbose: bool = False):
        self.console = console
        self.verbose = verbose  # --verbose: tool inputs and outputs whole, not previews
        self.quiet = quiet  # -q: the final answer is printed by the caller, on stdout
        self.indent = indent  # nested runs (subagents) are drawn indented
        self.buffer = ""
        self.status = None
        self.status_of_tools = False  # the spinner is the running tools' (not the model's)
        self.live = None
        self.tool_drew = False  # a running tool called `show`
        self.running: list[str] = []  # the tools running now, by name (several at once in s20)
        self.finished: list[str] = []  # tools that ran beside others and ended, results not shown yet
        self.running_lock = threading.Lock()  # subtle: `tool_finished` comes from the tools' threads
        self.running_since = 0.0
        self.waiting: list[tuple[str, str]] = []  # (name, input shown) of calls announced, not ended
        self.last_call: tuple[str, str] | None = None  # the call whose line was printed last

    def model_start(self) -> None:
        self.stop_spinner()  # subtle: one spinner at a time, whatever was left running
        self.buffer = ""
        if self.console.is_terminal:
            self.status = self.console.status("[dim]thinking…[/]", spinner="dots")
            self.status.start()

    def model_text(self, delta: str) -> None:
        self.stop_spinner()
        self.buffer += delta
        if self.quiet or not self.console.is_terminal:
            return  # no live redraw into a pipe or a file: the whole text is printed at the end
        if self.live is None:
            self.live = Live(console=self.console, refresh_per_second=12, vertical_overflow="visible")
            self.live.start()
        from rich.markdown import Markdown  # subtle: here, not at the top: markdown-it is slow to import

        self.live.update(self.pad(Markdown(self.buffer)))

    def model_end(self, reply) -> None:
        self.stop_spinner()
        self.flush_text(reply is not None and reply.stop_reason == "tool_use")
        if self.running or self.finished:  # tools started while the reply streamed (s20)
            self.spin_running()

    def flush_text(self, calls_tools: bool) -> None:
        """The model's text so far, on the screen for good, once: a tool call may arrive while the
        reply still streams (s20), and its line goes below the text. Under -q only text before tool
        calls is logged; the final answer is the caller's to print."""
        if self.live is not None:  # the text is on the screen already, drawn as it streamed
            self.live.stop()
            self.live = None
        elif not self.buffer.strip():
            pass
        elif not self.quiet:
            from rich.markdown import Markdown

            self.console.print(self.pad(Markdown(self.buffer)))
        elif calls_tools:
            self.log(self.buffer.strip(), style="dim")
        self.buffer = ""

    def tool_start(self, name: str, tool_input: dict) -> None:
        self.flush_text(calls_tools=True)
        self.tool_drew = False
        shown = json.dumps(tool_input, ensure_ascii=False, indent=1) if self.verbose else summarize(tool_input)
        self.log(Text.assemble(("● ", "cyan"), (name, "bold cyan"), "  ", (shown, "cyan")))
        self.last_call = (name, shown)
        self.waiting.append(self.last_call)

    def tool_running(self, name: str) -> None:
        """On a terminal, a spinner with the seconds since the tools started, until they end."""
        with self.running_lock:
            self.running.append(name)
        if self.console.is_terminal and self.live is None:  # streamed text: model_end spins
            self.spin_running()

    def spin_running(self) -> None:
        """One spinner for every running tool, its label kept up to date by a ticking thread."""
        if self.status is not None and self.status_of_tools:
            self.status.update(self.running_label())
            return
        self.stop_spinner()
        self.running_since = time.monotonic()
        self.status = self.console.status(self.running_label(), spinner="dots")
        self.status_of_tools = True
        self.status.start()
        status = self.status

        def tick() -> None:
            while self.status is status:
                time.sleep(1)
                if self.status is status:
                    status.update(self.running_label(seconds=True))

        threading.Thread(target=tick, daemon=True).start()

    def running_label(self, seconds: bool = False) -> str:
        with self.running_lock:
            names, done = list(self.running), len(self.finished)
        what = names[0] if len(names) == 1 else f"{len(names)} tools ({', '.join(dict.fromkeys(names))})"
        since = f" {time.monotonic() - self.running_since:.0f} s" if seconds else ""
        if not names:
            return f"[dim]{done} tool{'s' * (done != 1)} done, results follow…{since}[/]"
        return f"[dim]running {what}{f', {done} done' if done else ''}…{since}[/]"

    def tool_finished(self, name: str) -> None:
        with self.running_lock:
            if name in self.running:
                self.running.remove(name)
                self.finished.append(name)
        status = self.status
        if status is not None and self.status_of_tools:
            status.update(self.running_label(seconds=True))

    def tool_end(self, name: str, output: str, is_error: bool) -> None:
        with self.running_lock:
            for names in (self.finished, self.running):
                if name in names:
                    names.remove(name)
                    break
            anything_left = bool(self.running or self.finished)
        if not anything_left:
            self.stop_spinner()
        elif self.status is not None:
            self.status.update(self.running_label(seconds=True))
        call = self.waiting.pop(0) if self.waiting else None
        if self.tool_drew and not is_error:
            return  # the tool drew its own output (a plan, a nested run): no second preview
        if call is not None and call is not self.last_call:  # other call lines came between
            self.log(Text.assemble(("  ⎿ ", "dim"), (call[0], "dim cyan"), "  ", (call[1], "dim")))
        self.last_call = None
        lines = output.splitlines() or [""]
        shown = "\n".join(lines if self.verbose else lines[:PREVIEW_LINES])
        if len(lines) > PREVIEW_LINES and not self.verbose:
            more = len(lines) - PREVIEW_LINES
            shown += f"\n… {more} more line{'s' if more > 1 else ''}"
        self.log(shown, style="red" if is_error else "dim", extra=2)

    def show(self, item) -> None:
        self.tool_drew = True
        self.stop_spinner()
        self.console.print(self.pad(item))

    def notice(self, item) -> None:
        """Like `show`, but a line about the run: the running tool's preview still follows."""
        self.stop_spinner()
        self.console.print(self.pad(item))

    def stop(self) -> None:
        with self.running_lock:
            self.running.clear()
            self.finished.clear()
        self.waiting.clear()
        self.stop_spinner()
        if self.live is not None:
            self.live.stop()
            self.live = None

    def nested(self) -> ConsoleView:
        """A view for a run inside this one (a subagent), drawn one step further in."""
        return ConsoleView(self.console, quiet=self.quiet, indent=self.indent + 1, verbose=self.verbose)

    # -----------------------------------------------------------------------------------------

    def stop_spinner(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None
        self.status_of_tools = False

    def log(self, text: str | Text, style: str = "", extra: int = 0) -> None:
        """Lines of the run's log (a tool call, a preview), indented: styled on a terminal, plain
        text off one."""
        console = self.console
        if console.is_terminal:
            if not isinstance(text, Text):
                text = Text(text, style=style)
                text.expand_tabs()  # subtle: rich measures a tab as one cell, so padded lines would wrap early
            console.print(self.pad(text, extra=extra))
            return
        if console.quiet:
            return
        margin = " " * (4 * self.indent + extra)
        plain = text.plain if isinstance(text, Text) else text.expandtabs()
        plain = "\n".join(margin + line if line else "" for line in plain.split("\n"))
        if console.record:  # the console keeps what it printed (export_text): let it see this too
            console.out(plain, highlight=False)
            return
        console.file.write(plain + "\n")
        console.file.flush()

    def pad(self, renderable, extra: int = 0):
        left = 4 * self.indent + extra
        return Padding(renderable, (0, 0, 0, left), expand=False) if left else renderable


def summarize(tool_input, limit: int = 100) -> str:
    """A tool's input on one line: the command for bash, `key=value` pairs otherwise."""
    if isinstance(tool_input, dict) and isinstance(tool_input.get("command"), str):
        text = tool_input["command"]
    elif isinstance(tool_input, dict):
        text = " ".join(f"{key}={short_json(value)}" for key, value in tool_input.items())
    else:
        text = short_json(tool_input)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_json(value, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]
