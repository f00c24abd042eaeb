"""The command line every chapter shares: `uv run sNN_name [-q PROMPT] [--demo] ...`.

A chapter hands `main` a `Chapter`: its name, a `build` function that assembles its agent, its demo
scenario and its slash commands. Everything else (arguments, credentials, the REPL, the demo, errors
as one line) lives here once.

subtle: nothing heavy is imported at module level, so `--help` and `--version` answer at once.
"""

from __future__ import annotations

import argparse
import sys
import threading
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


def main(chapter: Chapter, argv: list[str] | None = None) -> int:
    args = parse_args(chapter, argv)
    if args.version:
        from importlib.metadata import version

        print(f"{chapter.name} {version(chapter.name)}")
        return 0
    if args.sample and args.workdir:
        print(f"{chapter.name}: --sample and --workdir exclude each other", file=sys.stderr)
        return 2
    workdir = Path(args.workdir or ".").expanduser().resolve()
    if not workdir.is_dir():
        print(f"{chapter.name}: --workdir {args.workdir} is not a folder", file=sys.stderr)
        return 2
    if not args.query:
        threading.Thread(target=warm_up_sdk, daemon=True).start()
    if args.demo:
        from .demo import run_demo

        return run_demo(chapter, args)
    from .settings import load_settings

    settings = load_settings(args.model)
    if not settings.has_credentials:
        print(
            f"{chapter.name}: no model credentials. Set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in .env "
            "or the environment (see .env.example), or run with --demo to try it without a key.",
            file=sys.stderr,
        )
        return 2
    if args.sample:
        from .demo import scratch_project

        workdir = scratch_project(chapter.overlays)
        print(f"{chapter.name}: working on a fresh copy of the sample project: {workdir}", file=sys.stderr)
    from .model import AnthropicModel

    return run_agent(chapter, args, AnthropicModel(settings), workdir, settings.model, settings.describe())


def run_agent(chapter: Chapter, args, model, workdir: Path, model_id: str, banner: str, prompts=None) -> int:
    """Build the chapter's agent and run it: one `-q` task, scripted prompts, or the REPL."""
    from rich.console import Console

    from .agent import AgentConfig
    from .console import ConsoleView
    from .repl import repl, submit

    quiet = bool(args.query)
    console = Console(stderr=quiet, highlight=False)
    config = AgentConfig(model=model_id, max_turns=args.max_turns)
    view = ConsoleView(console, quiet=quiet)
    agent = chapter.build(Session(model, config, workdir, view, args, interactive=not quiet and prompts is None))
    if quiet:
        answer = submit(chapter, agent, args.query, console)
        if answer is None:
            return 1
        print(answer)
        return 0
    console.print(f"[bold]{chapter.name}[/] · {chapter.title}\n[dim]{banner}\nwork dir: {workdir}[/]")
    if prompts is not None:
        for prompt in prompts:
            console.print(f"\n[bold green]›[/] {prompt}")
            if submit(chapter, agent, prompt, console) is None:
                return 1
        return 0
    return repl(chapter, agent, console)


def parse_args(chapter: Chapter, argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=chapter.name, description=f"{chapter.name}: {chapter.title}")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-q", "--query", metavar="PROMPT", help="run one task non-interactively; the answer goes to stdout")
    mode.add_argument("--demo", action="store_true", help="play this chapter's scripted scenario; no key needed")
    parser.add_argument("--model", metavar="ID", help="model id (default: MODEL_ID from .env, else claude-sonnet-5-5)")
    parser.add_argument("--workdir", metavar="DIR", help="the folder the agent works in (default: here)")
    parser.add_argument("--sample", action="store_true",
                        help="work on a fresh copy of the course's sample project (with this chapter's demo files)")
    parser.add_argument("--max-turns", type=int, default=0, metavar="N", help="stop a task after N model calls (0: no limit)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    if chapter.add_arguments:
        chapter.add_arguments(parser)
    return parser.parse_args(argv)


def warm_up_sdk() -> None:
    """Import the SDK in the background so the first request does not wait for it."""
    try:
        import anthropic  # noqa: F401
    except Exception:  # noqa: BLE001 - the real import will report it
        pass
