"""Helpers for end-to-end tests of any chapter: run its command line as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from ..agent import View


def run_chapter(
    package: str,
    *args: str,
    cwd: Path | None = None,
    env: dict | None = None,
    stdin: str = "",
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """`python -m <package> <args>` in a child process, with the model settings taken from `env`
    only (the parent's are dropped) and `.env` files ignored. Output is text (UTF-8)."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_") and k != "MODEL_ID"}
    child_env |= {"HARNESS_NO_DOTENV": "1", "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}
    child_env |= env or {}
    return subprocess.run(
        [sys.executable, "-m", package, *args],
        cwd=cwd,
        env=child_env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


def tagged(tag: str, variable: str = "TEST_TAG") -> list[str]:
    """The processes whose environment carries `TEST_TAG=tag` (or `variable=tag`; Linux /proc), as
    "pid command line": a test gives a chapter's command line that variable, and then sees what
    outlived it (s19's demo server gets its own, `WORDSTATS_NOTE`, through .mcp.json)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes()
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"{variable}={tag}".encode() in environ.split(b"\0"):
            found.append(f"{entry.name} {cmdline}")
    return found


def wait_until(condition, seconds: float = 10) -> bool:
    """Whether `condition()` comes true within `seconds`, checked every 20 ms (for real processes
    and threads; a test never waits like this for time it could set)."""
    pause = threading.Event()
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        pause.wait(0.02)
    return condition()


def build_agent(chapter, workdir: Path, model, *argv: str, view: View | None = None):
    """A chapter's agent as its command line builds it, on `model` (a `ScriptedModel`), with the
    options `argv` (`"--permission-mode", "bypassPermissions"`), for no terminal."""
    from ..agent import AgentConfig
    from .chapter import Session
    from .entry import parse_args

    session = Session(model, AgentConfig(model="claude-test"), workdir, view or RecordingView(),
                      parse_args(chapter, list(argv)), interactive=False, chapter=chapter)
    return chapter.build(session)


def slash(agent, line: str, console) -> None:
    """Run a slash command as the REPL would: `slash(agent, "/mode plan", console)`."""
    name, _, argument = line.removeprefix("/").partition(" ")
    agent.commands()[name].run(agent, argument.strip(), console)


def system_text(request: dict) -> str:
    """A request's system prompt as one string, whether it was sent as a string or as text blocks."""
    system = request.get("system") or ""
    return system if isinstance(system, str) else "\n\n".join(block["text"] for block in system)


class RecordingView(View):
    """A `View` for tests that keeps what the user would have seen: what capabilities `show`, the
    tools started, and the views of nested runs (subagents)."""

    def __init__(self):
        self.items: list = []  # what was shown, as given (text or rich renderables)
        self.tools: list[str] = []  # names of the tools started, in order
        self.children: list[RecordingView] = []  # one per nested run

    @property
    def texts(self) -> list[str]:
        return [str(item) for item in self.items]

    def show(self, item) -> None:
        self.items.append(item)

    def tool_start(self, name: str, tool_input: dict) -> None:
        self.tools.append(name)

    def nested(self) -> RecordingView:
        self.children.append(RecordingView())
        return self.children[-1]
