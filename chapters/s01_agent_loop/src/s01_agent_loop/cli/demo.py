"""`--demo`: run a chapter with no key and no network.

The chapter's scenario is played by the scripted model, a Messages API server on 127.0.0.1. The
agent is the real one (the real SDK, the real loop, the real tools) working on a scratch copy of the
sample project; only the model's words are written in advance, and the banner says so.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

SAMPLE_PROJECT = Path(__file__).parent.parent / "sample_project"


def run_demo(chapter, args) -> int:
    from ..model import AnthropicModel
    from ..scripted import ScriptedServer, load_scenario
    from .run import run_agent
    from .settings import Settings

    if chapter.scenario is None:
        print(f"{chapter.name} has no demo scenario", file=sys.stderr)
        return 2
    scenario = load_scenario(chapter.scenario)
    workdir = scratch_project(chapter.overlays)
    with ScriptedServer(scenario) as server:
        settings = Settings(api_key="demo-no-key-needed", base_url=server.url, model=args.model or "scripted-demo")
        banner = (
            f"DEMO: a scripted model at {server.url} plays '{scenario.title}'. Its words are written in "
            "advance;\nthe SDK, the loop and the tools are real, working on a scratch copy of the sample project."
        )
        if scenario.intro:
            banner += "\n" + scenario.intro.strip()
        status = run_agent(chapter, args, AnthropicModel(settings, chapter.model_retries), workdir, settings.model,
                           banner, prompts=scenario.prompts)
    try:
        server.assert_done()
    except AssertionError as problems:
        print(f"demo: the scripted model reports a problem:\n{problems}", file=sys.stderr)
        return 1
    print(f"\ndemo finished; the scratch project is kept at {workdir}", file=sys.stderr)
    return status


def scratch_project(overlays: tuple[Path, ...] = ()) -> Path:
    """A fresh copy of the sample project, with the chapter's extra files laid over it."""
    workdir = Path(tempfile.mkdtemp(prefix="harness-demo-"))
    shutil.copytree(SAMPLE_PROJECT, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    for overlay in overlays:
        shutil.copytree(overlay, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    return workdir
