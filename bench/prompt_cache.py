"""How much of each request does chapter 10's system prompt let the API read from the prompt cache?

    uv run python bench/prompt_cache.py [--turns 30] [--prompts 3]

A scripted session of `--turns` model calls over `--prompts` user prompts, on a copy of the sample
project (with chapter 10's CLAUDE.md files) made into a git repository. The model reads files,
greps, runs `ls` and writes a notes file now and then (so `git status` changes during the session).
The agent is chapter 10's, built by its wiring (permissions bypassed, no automatic compaction),
and talks through the real SDK to the loopback ScriptedServer, whose usage reports
`cache_read_input_tokens` from the request's `cache_control` breakpoints like the API does.

Three variants of the same session:
- chapter 10: sections, snapshot at SessionStart, breakpoints at the static end, the system end
  and the last message;
- no breakpoints: s02's single system string (what chapters 2 to 9 send);
- re-read every request: chapter 10, but the CLAUDE.md chain and the environment (git status
  included) are read again before each request, as a harness without a snapshot would.

It reports, for each, the share of input tokens read from the cache over the session and after
the first request, and the input cost relative to sending everything uncached (cache reads cost
0.1x the base input price, cache writes 1.25x). Exits 1 if chapter 10 reads less than half of
the input after the first request from the cache.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from s01_agent_loop import AgentConfig, View
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.demo import scratch_project
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ScriptedServer, say, step
from s10_system_prompt import SystemPrompt
from s10_system_prompt.wiring import CHAPTER, build

READ, WRITE = 0.1, 1.25  # cache read and cache write prices, as multiples of the base input price


class EveryRequest(SystemPrompt):
    """Chapter 10 without the snapshot: CLAUDE.md and the environment are read again every request."""

    def shape_request(self, agent, request):
        self.snapshot = None
        return super().shape_request(agent, request)

    def take_snapshot(self, agent):
        usage = self.usage  # subtle: the parent resets the session's totals on each new snapshot
        snapshot = super().take_snapshot(agent)
        self.usage = usage
        return snapshot


class Recorded:
    """The model, keeping the usage of every reply."""

    def __init__(self, inner):
        self.inner = inner
        self.usages: list = []

    def query(self, request, on_text=None):
        reply = self.inner.query(request, on_text=on_text)
        self.usages.append(reply.usage)
        return reply


def script(turns: int, prompts: int) -> list:
    """`turns` replies: per prompt, tool calls and then a closing answer."""
    per_prompt = max(2, turns // prompts)
    actions = [
        {"name": "read_file", "input": {"path": "wordstats/stats.py"}},
        {"name": "grep", "input": {"pattern": "def ", "path": "wordstats"}},
        {"name": "bash", "input": {"command": "ls -la"}},
        {"name": "read_file", "input": {"path": "tests/test_stats.py"}},
        None,  # a notes file, which changes `git status`
    ]
    steps = []
    for n in range(turns):
        if n % per_prompt == per_prompt - 1 or n == turns - 1:
            steps.append(say(f"Step {n}: done with this part; the code and tests are as described."))
            continue
        action = actions[n % len(actions)] or {"name": "write_file",
                                               "input": {"path": f"notes-{n}.md", "content": f"note {n}\n" * 20}}
        steps.append(step(f"Step {n}: looking at the next piece of the project.", [action]))
    return steps


def project() -> Path:
    """The sample project with the chapter's overlays, committed to a fresh git repository."""
    workdir = scratch_project(CHAPTER.overlays)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=bench", "-c", "user.email=b@example.com",
                                                     "commit", "-q", "-m", "sample project"]):
        subprocess.run(["git", *command], cwd=workdir, capture_output=True, check=False)
    return workdir


def session(variant: str, turns: int, prompts: int) -> dict:
    steps = script(turns, prompts)
    n_prompts = sum(1 for s in steps if not s.tool_use)
    with tempfile.TemporaryDirectory() as home, ScriptedServer(steps) as server:
        workdir = project()
        model = Recorded(AnthropicModel(Settings(api_key="bench", base_url=server.url), max_retries=0))
        args = parse_args(CHAPTER, ["--permission-mode", "bypassPermissions", "--context-budget", "0"])
        agent = build(Session(model, AgentConfig(model="bench"), workdir, View(), args, interactive=False))
        ours = SystemPrompt.of(agent)
        if variant == "no breakpoints":
            agent.extensions.remove(ours)
        elif variant == "re-read every request":
            agent.extensions[agent.extensions.index(ours)] = EveryRequest(home=Path(home))
        else:
            ours.home = Path(home)
        try:
            for p in range(n_prompts):
                agent.run(f"Prompt {p + 1}: look through the project and take notes.")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    server.assert_done()
    return measure(model.usages)


def measure(usages: list) -> dict:
    def parts(us):
        read = sum(u.cache_read_input_tokens or 0 for u in us)
        write = sum(u.cache_creation_input_tokens or 0 for u in us)
        return read, write, sum(u.input_tokens for u in us) + read + write

    read, write, total = parts(usages)
    later_read, _, later_total = parts(usages[1:])
    return {"requests": len(usages), "total": total, "share": read / total, "share_later": later_read / later_total,
            "cost": (total - read - write + READ * read + WRITE * write) / total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30, help="model calls in the session (default 30)")
    parser.add_argument("--prompts", type=int, default=3, help="user prompts they are spread over (default 3)")
    args = parser.parse_args()
    results = {}
    for variant in ("chapter 10", "no breakpoints", "re-read every request"):
        r = results[variant] = session(variant, args.turns, args.prompts)
        print(f"{variant}:\n  {r['requests']} requests, {r['total']:,} input tokens; read from the cache: "
              f"{r['share']:.1%} overall, {r['share_later']:.1%} after the first request; "
              f"input cost {r['cost']:.0%} of uncached")
    if results["chapter 10"]["share_later"] < 0.5:
        print("FAIL: chapter 10 reads less than half of the input from the cache after the first request")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
