"""`run_agent`: build a chapter's agent and run it (one `-q` task, a demo's prompts, or the REPL)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .chapter import Chapter, Session


def run_agent(chapter: Chapter, args, model, workdir: Path, model_id: str, banner: str, prompts=None,
              trace_folder: Path | None = None) -> int:
    """Build the chapter's agent and run it: one `-q` task, scripted prompts, or the REPL. With
    `--trace`, the model is wrapped to record every request and reply under `trace_folder` (else
    the work dir)."""
    from rich.console import Console

    quiet = bool(args.query)
    console = Console(stderr=quiet, highlight=False)
    if args.trace:
        from .trace import TracingModel, trace_path

        model = TracingModel(model, trace_path(trace_folder or workdir))
        console.print(f"[dim]trace: {model.path} (view it: uv run trace-view {model.path})[/]")
    try:
        return run(chapter, args, model, workdir, model_id, banner, prompts, console)
    finally:
        if args.trace:
            console.print(f"[dim]trace written: {model.path}[/]")


def run(chapter: Chapter, args, model, workdir: Path, model_id: str, banner: str, prompts, console) -> int:
    from ..agent import AgentConfig
    from .console import ConsoleView
    from .inbox import Inbox
    from .repl import repl, submit

    quiet = bool(args.query)
    config = AgentConfig(model=model_id, max_turns=args.max_turns)
    view = ConsoleView(console, quiet=quiet, verbose=args.verbose)
    # subtle: interactive means someone at a terminal can answer a question (s07's permission
    # dialog); piped input is prompts, not answers
    interactive = not quiet and prompts is None and sys.stdin.isatty()
    inbox = Inbox(console)
    if not quiet:  # first, so what the build says (a server to approve, a session resumed) comes under it
        shown = os.fsencode(workdir).decode("utf-8", "replace")  # subtle: a folder name need not be UTF-8
        console.print(f"[bold]{chapter.name}[/] · {chapter.title}\n[dim]{banner}\nwork dir: {shown}[/]")
    agent = chapter.build(Session(model, config, workdir, view, args, interactive=interactive, inbox=inbox,
                                  chapter=chapter))
    try:
        if quiet and chapter.run_query is not None:  # the chapter reports the task its own way (full's formats)
            return chapter.run_query(chapter, agent, args, console)
        if quiet:
            answer = submit(chapter, agent, args.query, console, interactive=False)
            if answer is None:
                return 1
            print(answer)
            return 0
        if prompts is not None:
            return play_prompts(chapter, agent, prompts, console, inbox)
        return repl(chapter, agent, console, inbox)
    finally:
        agent.close()  # the session is over: what runs beside it stops (s13's background commands)


def play_prompts(chapter: Chapter, agent, prompts, console, inbox) -> int:
    """A demo's user: types each prompt in turn; an idle step (`.idle`, seconds) types nothing for a
    while. Prompts posted meanwhile (a scheduled prompt) run as in the REPL, before the next one."""
    from .repl import run_posted, submit

    for prompt in prompts:
        while (posted := inbox.next(timeout=0)) is not None:
            if run_posted(chapter, agent, posted, console) is None:
                return 1
        if isinstance(prompt, str):
            console.print(f"\n[bold green]›[/] {prompt}")
            if submit(chapter, agent, prompt, console) is None:
                return 1
            continue
        console.print(f"\n[dim](the user types nothing for up to {prompt.idle:g} s)[/]")
        if (posted := inbox.next(timeout=prompt.idle)) is not None and run_posted(
                chapter, agent, posted, console) is None:
            return 1
    return 0
