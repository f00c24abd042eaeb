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


@dataclass(frozen=True)
class SlashCommand:
    help: str
    run: Callable[[Any, str, Any], None]
    """Called as `run(agent, argument_text, console)`."""


@dataclass(frozen=True)
class Chapter:
    name: str
    """The package and console script name, e.g. `s01_agent_loop`."""
    title: str
    build: Callable[[Session], Any]
    """Assembles this chapter's agent."""
    scenario: Path | None = None
    """The `--demo` script (YAML)."""
    commands: Mapping[str, SlashCommand] = field(default_factory=dict)
    """Slash commands beyond /help and /exit."""
    overlays: tuple[Path, ...] = ()
    """Folders copied over the sample project for this chapter's demo."""
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None

    def extend(self, *, name: str, title: str, build: Callable[[Session], Any], here: str,
               commands: Mapping[str, SlashCommand] | None = None, overlays: tuple[Path, ...] = (),
               add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> Chapter:
        """The next chapter: its own name, title and `build`; the demo scenario `demo.yaml` beside
        `here` (the wiring module's `__file__`); this chapter's commands, overlays and options plus
        the new ones."""
        previous_arguments = self.add_arguments

        def both_arguments(parser: argparse.ArgumentParser) -> None:
            for add in (previous_arguments, add_arguments):
                if add:
                    add(parser)

        return replace(
            self, name=name, title=title, build=build, scenario=Path(here).with_name("demo.yaml"),
            commands={**self.commands, **(commands or {})}, overlays=(*self.overlays, *overlays),
            add_arguments=both_arguments if previous_arguments or add_arguments else None,
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
