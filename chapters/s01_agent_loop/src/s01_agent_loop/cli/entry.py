"""`main`: the command line every chapter shares, `uv run sNN_name [-q PROMPT] [--demo] ...`.

A chapter hands `main` a `Chapter` (chapter.py). Everything else (arguments, credentials, the REPL,
the demo, errors as one line) lives in this package once.

subtle: nothing heavy is imported at module level, so `--help` and `--version` answer at once.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .chapter import Chapter


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
        if not args.demo and sys.stdin.isatty():
            import_line_editor()
        threading.Thread(target=warm_up_sdk, daemon=True).start()
    from ..errors import ConfigurationError

    on_termination_signals()
    try:
        return start(chapter, args, workdir)
    except ConfigurationError as error:
        print(f"{chapter.name}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before a turn could take it (while the agent is built)
        print(f"{chapter.name}: interrupted", file=sys.stderr)
        return 130
    except Terminated as stop:
        print(f"{chapter.name}: stopped by {stop.name}; what the tools started was stopped too", file=sys.stderr)
        return 128 + stop.signum


class Terminated(BaseException):
    """SIGTERM or SIGHUP: unwind like Ctrl-C (every running command is killed on the way out), then exit.
    subtle: a BaseException, so the REPL's `except Exception` and the Ctrl-C handlers let it through."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def on_termination_signals() -> None:
    """Turn SIGTERM and SIGHUP into `Terminated` in the main thread (POSIX; SIGKILL is the reaper's)."""
    def terminate(signum, frame):
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name) and threading.current_thread() is threading.main_thread():
            signal.signal(getattr(signal, name), terminate)


def start(chapter: Chapter, args: argparse.Namespace, workdir: Path) -> int:
    """The demo, or the chapter's agent on the configured model."""
    if args.demo:
        from .demo import run_demo

        return run_demo(chapter, args)
    if args.scenario:
        from .demo import run_scenario

        return run_scenario(chapter, args, workdir)
    from .settings import load_settings

    settings = load_settings(args.model)
    if not settings.has_credentials:
        print(
            f"{chapter.name}: no model credentials. Set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in .env "
            "or the environment (see .env.example), or run with --demo to try it without a key.",
            file=sys.stderr,
        )
        return 2
    from ..model import AnthropicModel
    from .demo import scratch, scratch_project
    from .run import run_agent

    if not args.sample:
        return run_agent(chapter, args, AnthropicModel(settings, chapter.model_retries), workdir, settings.model,
                         settings.describe())
    with scratch(scratch_project(chapter.overlays), args.keep) as workdir:
        print(f"{chapter.name}: working on a fresh copy of the sample project: {workdir}", file=sys.stderr)
        return run_agent(chapter, args, AnthropicModel(settings, chapter.model_retries), workdir, settings.model,
                         settings.describe(), trace_folder=Path.cwd())


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
    parser.add_argument("--scenario", metavar="FILE", type=Path,
                        help="a scripted model plays FILE (YAML, like a chapter's demo.yaml) for the REPL or -q; no key")
    parser.add_argument("--trace", action="store_true",
                        help="write every request as sent and every reply to .harness/traces/ (see: uv run trace-view)")
    parser.add_argument("--verbose", action="store_true", help="show tool inputs and outputs whole, not previews")
    parser.add_argument("--keep", action="store_true", help="keep the scratch project of --demo or --sample at exit")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    if chapter.add_arguments:
        chapter.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.demo:  # the demo's own values for what the command line left unset
        for option, value in chapter.demo_args.items():
            if getattr(args, option, None) is None:
                setattr(args, option, value)
    return args


def import_line_editor() -> None:
    """Import the REPL's line editor now, before the SDK's import starts beside it (and s19's MCP
    client's, at build). subtle: a thread busy importing holds the GIL 5 ms at a time, and the main
    thread waits up to that long to get it back each time it reads a file, so the editor imported
    after them took several times as long and the prompt came up 0.3-0.8 s later."""
    import prompt_toolkit.history  # noqa: F401
    import prompt_toolkit.patch_stdout  # noqa: F401
    import prompt_toolkit.shortcuts  # noqa: F401


def warm_up_sdk() -> None:
    """Import the SDK in the background so the first request does not wait for it (and the
    Markdown renderer the reply is drawn with)."""
    try:
        import anthropic  # noqa: F401
        import rich.markdown  # noqa: F401
    except Exception:  # noqa: BLE001 - the real import will report it
        pass
