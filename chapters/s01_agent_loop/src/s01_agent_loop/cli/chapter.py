"""What a chapter hands the command line: its name, how to build its agent, its demo, its options.

Every chapter's wiring module ends with `CHAPTER = PREVIOUS.extend(...)`: the command line, the REPL
and the demo are shared (this package); only what a chapter adds is named there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .inbox import Inbox


@dataclass(frozen=True)
class SlashCommand:
    help: str
    run: Callable[[Any, str, Any], None]
    """Called as `run(agent, argument_text, console)`; an agent lists its own in `agent.commands()`."""


@dataclass(frozen=True)
class Chapter:
    name: str
    """The package and console script name, e.g. `s01_agent_loop`."""
    title: str
    build: Callable[[Session], Any]
    """Assembles this chapter's agent. Its slash commands come from the agent (`agent.commands()`)."""
    scenario: Path | None = None
    """The `--demo` script (YAML)."""
    overlays: tuple[Path, ...] = ()
    """Folders copied over the sample project for this chapter's demo."""
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None
    demo_args: Mapping[str, Any] = field(default_factory=dict)
    """Option values `--demo` uses unless the command line sets them: `{"context_budget": 14_000}`."""
    model_retries: int = 2
    """The SDK's own quiet retries of a failed call (s11 sets 0: it retries itself, visibly)."""
    run_query: Callable[..., int] | None = None
    """How `-q` runs its one task and reports it, as `run_query(chapter, agent, args, console)`
    returning the exit code; None: the answer on stdout, exit 0 (1 when it failed)."""
    status_line: Callable[[Any], Any] | None = None
    """The line under the REPL's prompt, as `status_line(agent)` (text or prompt_toolkit formatted
    text), redrawn every second; None: no status line."""
    completer: Callable[[Any], Any] | None = None
    """More completions for the REPL's line editor, as `completer(agent)` returning a prompt_toolkit
    `Completer` (full's `@path`); slash commands complete in every chapter."""

    def extend(self, *, name: str, title: str, build: Callable[[Session], Any], here: str,
               overlays: tuple[Path, ...] = (), inherit_overlays: bool = True,
               add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
               demo_args: Mapping[str, Any] | None = None, model_retries: int | None = None,
               run_query: Callable[..., int] | None = None,
               status_line: Callable[[Any], Any] | None = None,
               completer: Callable[[Any], Any] | None = None) -> Chapter:
        """The next chapter: its own name, title and `build`; the demo scenario `demo.yaml` beside
        `here` (the wiring module's `__file__`); this chapter's overlays (unless
        `inherit_overlays=False`), options and demo values plus the new ones; `run_query`,
        `status_line` and `completer` when given, else this chapter's."""
        previous_arguments = self.add_arguments

        def both_arguments(parser: argparse.ArgumentParser) -> None:
            for add in (previous_arguments, add_arguments):
                if add:
                    add(parser)

        return replace(
            self, name=name, title=title, build=build, scenario=Path(here).with_name("demo.yaml"),
            overlays=(*(self.overlays if inherit_overlays else ()), *overlays),
            add_arguments=both_arguments if previous_arguments or add_arguments else None,
            demo_args={**self.demo_args, **(demo_args or {})},
            model_retries=self.model_retries if model_retries is None else model_retries,
            run_query=run_query or self.run_query, status_line=status_line or self.status_line,
            completer=completer or self.completer,
        )


@dataclass
class Session:
    """What `Chapter.build` gets to assemble an agent from."""

    model: Any
    config: Any
    workdir: Path
    view: Any
    args: argparse.Namespace
    interactive: bool
    inbox: Inbox = field(default_factory=lambda: Inbox())
    """Where work beside the conversation tells the user things and posts prompts (inbox.py)."""
    chapter: Chapter | None = None
    """The chapter being run: s15 builds its teammates with the running chapter's `build`, so a
    later chapter's teammates have that chapter's capabilities."""
