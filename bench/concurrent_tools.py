"""Do chapter 20's read-only calls overlap, and does a call start before its reply has ended?

    uv run python bench/concurrent_tools.py [--rounds 5] [--calls 8] [--tool-ms 200] [--block-ms 100]

Every variant is an s02 harness talking through the real SDK (streaming) to the loopback
ScriptedServer, which plays one reply with `--calls` tool_use blocks of a read-only tool that takes
`--tool-ms` (it sleeps, as a read waiting on a disk or a server would), then a final text:
- sequential: s02 alone, the calls one after another (chapters 2 to 19);
- s20 router: `ConcurrentTools` without streaming start, the calls side by side once the reply is whole;
- s20 streaming: the same with streaming start, the reply streamed slowly (a pause of `--block-ms`
  after each block, the server's `block_delay`), so each call can start as its block arrives.
For the first two it measures the batch (from the complete reply to the last result); for the
third, when the first result was ready against when the reply's last block arrived, and the turn
(reply start to last result) against s20 without streaming start on the same slow stream.
Exits 1 unless the batch takes under 2x one call's time and the first result is ready before the
last block arrives.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from s01_agent_loop import AgentConfig, View
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ModelStep, ScriptedServer, ToolCall
from s02_tool_use.extension import Extension
from s02_tool_use.harness import Harness
from s20_tool_refactor.concurrency import ConcurrentTools
from s20_tool_refactor.declare import tool


class Clock(Extension):
    """Times, on one clock: the model call's start and end, each block's arrival, each result."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.call_start = self.call_end = self.batch_start = self.batch_end = 0.0
        self.blocks: list[float] = []
        self.results: list[float] = []

    def wrap_model_call(self, agent, request, call_next):
        listener = agent.on_block
        if listener is not None:
            agent.on_block = lambda block: (self.blocks.append(time.perf_counter()), listener(block))
        self.call_start = self.call_start or time.perf_counter()
        try:
            return call_next(request)
        finally:
            agent.on_block = listener
            self.call_end = self.call_end or time.perf_counter()

    def done(self) -> None:
        with self.lock:
            self.results.append(time.perf_counter())


def run_once(calls: int, tool_ms: float, pause_ms: float, concurrent: bool, stream_start: bool) -> dict:
    clock = Clock()

    @tool(read_only=True, kind="read")
    def slow_read(n: int) -> str:
        """A read that takes its time."""
        time.sleep(tool_ms / 1000)
        clock.done()
        return f"read {n}"

    reply = ModelStep(tool_use=[ToolCall(name="slow_read", input={"n": i}) for i in range(calls)],
                      block_delay=pause_ms / 1000)
    extensions = [clock] + ([ConcurrentTools(stream_start=stream_start)] if concurrent else [])
    with ScriptedServer([reply, ModelStep(text="done")]) as server, tempfile.TemporaryDirectory() as folder:
        model = AnthropicModel(Settings(api_key="bench", base_url=server.url, model="bench"), max_retries=0)
        agent = Harness(model, AgentConfig(model="bench"), Path(folder), View(), tools=[slow_read],
                        extensions=extensions)
        answer = agent.answer

        def timed(blocks):
            clock.batch_start = time.perf_counter()
            answer(blocks)
            clock.batch_end = time.perf_counter()

        agent.answer = timed  # subtle: the batch, timed from the complete reply to its last result
        assert agent.run("read") == "done"
    last_block = clock.blocks[calls - 1] if len(clock.blocks) >= calls else clock.call_end
    return {"batch": clock.batch_end - clock.batch_start, "first_vs_last_block": min(clock.results) - last_block,
            "turn": max(clock.results) - clock.call_start}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--tool-ms", type=float, default=200)
    parser.add_argument("--block-ms", type=float, default=100)
    args = parser.parse_args()
    variants = {"sequential": (0, False, False), "router": (0, True, False),
                "slow, router": (args.block_ms, True, False), "slow, streaming": (args.block_ms, True, True)}
    runs = {name: [run_once(args.calls, args.tool_ms, pause, concurrent, start) for _ in range(args.rounds)]
            for name, (pause, concurrent, start) in variants.items()}

    def ms(name: str, key: str) -> str:
        values = [run[key] * 1000 for run in runs[name]]
        return f"median {statistics.median(values):.0f} ms (best {min(values):.0f}, worst {max(values):.0f})"

    one = args.tool_ms / 1000
    first = [run["first_vs_last_block"] for run in runs["slow, streaming"]]
    print(f"{args.calls} read-only calls of {args.tool_ms:g} ms in one reply; {args.rounds} rounds; real SDK, loopback")
    print(f"  batch, s02 one after another:  {ms('sequential', 'batch')}")
    print(f"  batch, s20 router:             {ms('router', 'batch')}  (target: under {2 * one * 1000:.0f} ms)")
    print(f"the same reply streamed slowly ({args.block_ms:g} ms after each block):")
    print(f"  first result ready, streaming start: {-statistics.median(first) * 1000:.0f} ms before the last block "
          f"arrived (median; the least {-max(first) * 1000:.0f} ms)")
    print(f"  turn (request to last result), streaming start: {ms('slow, streaming', 'turn')}")
    print(f"  turn, s20 router without streaming start:      {ms('slow, router', 'turn')}")
    ok = statistics.median(run["batch"] for run in runs["router"]) < 2 * one and max(first) < 0
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
