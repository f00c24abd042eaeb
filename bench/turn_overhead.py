"""Harness overhead per turn over a long scripted session, with the model's latency excluded.

    uv run python bench/turn_overhead.py [--turns 200] [--sdk]

Each turn the scripted model asks for one `read_file` of a small file; the harness validates the
call, runs the tool, appends the result and builds the next request. Time spent inside the model
(the in-process ScriptedModel, or with --sdk the real SDK talking to the loopback ScriptedServer)
and inside the tool function is measured separately and subtracted: what remains is the harness's
own work (request building, tool specs, validation, history bookkeeping, extension dispatch).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, ScriptedServer, call, say, text, tool_use
from s02_tool_use.harness import Harness
from s02_tool_use.tools import Tool
from s02_tool_use.wiring import TOOLS


class Timed:
    """Wraps a model and counts the seconds spent inside it."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0

    def query(self, request, on_text=None):
        start = time.perf_counter()
        try:
            return self.inner.query(request, on_text=on_text)
        finally:
            self.seconds += time.perf_counter() - start


def timed_tools(clock: dict) -> list[Tool]:
    def wrap(tool: Tool) -> Tool:
        def run(args, ctx):
            start = time.perf_counter()
            try:
                return tool.run(args, ctx)
            finally:
                clock["tools"] += time.perf_counter() - start

        return Tool(tool.name, tool.description, tool.input_model, run)

    return [wrap(tool) for tool in TOOLS]


def session(turns: int, use_sdk: bool, workdir: Path) -> list[float]:
    """Run one prompt that takes `turns` model calls; return the harness overhead of each turn."""
    (workdir / "notes.txt").write_text("\n".join(f"line {i}" for i in range(40)))
    clock = {"tools": 0.0}
    if use_sdk:
        from s01_agent_loop.cli.settings import Settings
        from s01_agent_loop.model import AnthropicModel

        script = [call("read_file", path="notes.txt") for _ in range(turns - 1)] + [say("done")]
        server = ScriptedServer(script).start()
        model = Timed(AnthropicModel(Settings(api_key="bench", base_url=server.url), max_retries=0))
    else:
        server = None
        model = Timed(ScriptedModel([tool_use("read_file", path="notes.txt") for _ in range(turns - 1)] + [text("done")]))
    agent = Harness(model, AgentConfig(model="bench"), workdir, tools=timed_tools(clock))

    overheads = []
    original_step = agent.step

    def measured_step():
        model_before, tools_before = model.seconds, clock["tools"]
        start = time.perf_counter()
        reply = original_step()
        wall = time.perf_counter() - start
        overheads.append(wall - (model.seconds - model_before) - (clock["tools"] - tools_before))
        return reply

    agent.step = measured_step
    agent.run("read notes.txt again and again")
    if server:
        server.close()
        server.assert_done()
    return overheads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--sdk", action="store_true", help="the real SDK over loopback instead of the in-process model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        session(20, args.sdk, Path(folder))  # warm-up: imports, pydantic schema caches
        overheads = session(args.turns, args.sdk, Path(folder))
    bucket = max(args.turns // 4, 1)
    print(f"harness overhead per turn, {args.turns} turns, model {'SDK + loopback server' if args.sdk else 'in-process'}"
          " (model and tool time excluded):")
    for first in range(0, len(overheads), bucket):
        part = overheads[first : first + bucket]
        print(f"  turns {first + 1:4}-{first + len(part):4}: median {statistics.median(part) * 1e3:7.3f} ms"
              f"   p95 {sorted(part)[int(len(part) * 0.95) - 1] * 1e3:7.3f} ms")
    print(f"  all: median {statistics.median(overheads) * 1e3:.3f} ms, total {sum(overheads) * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
