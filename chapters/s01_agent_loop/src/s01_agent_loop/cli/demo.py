"""`--demo`: run a chapter with no key and no network.

The chapter's scenario is played by the scripted model, a Messages API server on 127.0.0.1. The
agent is the real one (the real SDK, the real loop, the real tools) working on a scratch copy of the
sample project; only the model's words are written in advance, and the banner says so.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

SAMPLE_PROJECT = Path(__file__).parent.parent / "sample_project"


def run_demo(chapter, args) -> int:
    from ..scripted import load_scenario

    if chapter.scenario is None:
        print(f"{chapter.name} has no demo scenario", file=sys.stderr)
        return 2
    scenario = load_scenario(chapter.scenario)
    intro = ("the SDK, the loop and the tools are real, working on a scratch copy of the sample project."
             + (f"\n{scenario.intro.strip()}" if scenario.intro else ""))
    with scratch(scratch_project(chapter.overlays), args.keep) as workdir:
        return play(chapter, args, scenario, workdir, f"DEMO: a scripted model plays '{scenario.title}'. Its words are "
                    f"written in advance; {intro}", scenario.prompts)


def run_scenario(chapter, args, workdir: Path) -> int:
    """`--scenario FILE`: the REPL or `-q` against a scripted model playing FILE, in the real work dir.
    When the script runs out, or a step's `expect` fails, the model answers with one line saying
    which step and why (an API error), and the REPL goes on."""
    from ..scripted import load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError) as error:
        print(f"{chapter.name}: --scenario {args.scenario}: {error}", file=sys.stderr)
        return 2
    banner = (f"SCENARIO: a scripted model plays {args.scenario} ('{scenario.title}'); its words are written in "
              "advance, the SDK, the loop and the tools are real.")
    if not args.sample:
        return play(chapter, args, scenario, workdir, banner, None, check_done=False)
    with scratch(scratch_project(chapter.overlays), args.keep) as workdir:  # --sample: on a fresh copy
        return play(chapter, args, scenario, workdir, banner + " On a scratch copy of the sample project.", None,
                    check_done=False)


def play(chapter, args, scenario, workdir: Path, banner: str, prompts, check_done: bool = True) -> int:
    """Run the chapter's agent against `scenario` served on 127.0.0.1."""
    from ..model import AnthropicModel
    from ..scripted import ScriptedServer
    from .run import run_agent
    from .settings import Settings

    with ScriptedServer(scenario) as server:
        settings = Settings(api_key="scripted-no-key-needed", base_url=server.url, model=args.model or "scripted-demo")
        status = run_agent(chapter, args, AnthropicModel(settings, chapter.model_retries), workdir, settings.model,
                           banner, prompts=prompts, trace_folder=Path.cwd())
    if check_done:
        try:
            server.assert_done()
        except AssertionError as problems:
            print(f"demo: the scripted model reports a problem:\n{problems}", file=sys.stderr)
            return 1
    return status


@contextmanager
def scratch(workdir: Path, keep: bool):
    """A scratch project for the length of a run: removed at the end, unless `keep` (then it says where)."""
    try:
        yield workdir
    finally:
        if keep:
            print(f"\nthe scratch project is kept at {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def scratch_project(overlays: tuple[Path, ...] = ()) -> Path:
    """A fresh copy of the sample project, with the chapter's extra files laid over it."""
    workdir = Path(tempfile.mkdtemp(prefix="harness-demo-"))
    shutil.copytree(SAMPLE_PROJECT, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    for overlay in overlays:
        shutil.copytree(overlay, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    return workdir
