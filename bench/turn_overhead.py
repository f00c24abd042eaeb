"""What the harness costs per turn, against a bare streaming SDK loop, over a long scripted session.

    uv run python bench/turn_overhead.py [--turns 200] [--rounds 5]     the comparison (default)
    uv run python bench/turn_overhead.py --profile s11 [--top 25]       where the s11 agent's time goes
    uv run python bench/turn_overhead.py --split [--sdk]                harness-only time, model and tool excluded

The comparison: one prompt, `--turns` model calls; every reply but the last asks for one
`read_file` of a small file. The model is the scripted server on 127.0.0.1, reached through the
official `anthropic` SDK, streaming. Three clients play the same script:

  bare  a loop written here: `client.messages.stream`, append the reply (as dicts), read the file
        with `open()`, append the tool_result, repeat. What you would write without a harness.
  s02   chapter 2's harness (six tools, no extensions), as `s02_tool_use -q` builds it.
  s11   chapter 11's agent, the most complete one (planning, subagents, skills, compaction,
        permissions, hooks, memory, the prompt builder, recovery), as `s11_error_recovery -q`
        builds it with stderr redirected: `run_agent`'s `Session`, a `ConsoleView` on a console
        that is not a terminal.

Each runs in a fresh work dir with a private HOME. The run (not the set-up) is timed twice: wall
time, and the CPU time of this process. Each is the best of `--rounds` interleaved rounds after one
warm-up: the round least disturbed by anything else on the machine. The server runs in this process,
so its time is in every figure alike; the gaps are the harnesses' own work.

`--profile` runs one session of a client under cProfile, timed by the main thread's CPU clock (so
neither the server's thread nor waiting on the socket nor other load on the machine is in it), and
lists the functions in chapter code by cumulative and own time, in ms per turn.

`--split` is the older measurement: s02's harness with the time inside the model and inside the
tool subtracted, turn by turn (in-process ScriptedModel, or `--sdk` for the SDK over loopback).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, ScriptedServer, call, say, text, tool_use
from s02_tool_use.harness import Harness
from s02_tool_use.tools import Tool
from s02_tool_use.wiring import TOOLS

PROMPT = "read notes.txt again and again"
MODEL_ID = "bench-model"
NOTES = "\n".join(f"line {i}: the quick brown fox jumps over the lazy dog" for i in range(40)) + "\n"
CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"


# --- the comparison --------------------------------------------------------------------------


def script(turns: int) -> list:
    return [call("read_file", path="notes.txt") for _ in range(turns - 1)] + [say("done")]


@contextmanager
def scripted_session(turns: int):
    """A fresh work dir and HOME, and a started scripted server for `turns` model calls."""
    with tempfile.TemporaryDirectory() as folder:
        workdir, home = Path(folder) / "work", Path(folder) / "home"
        workdir.mkdir()
        home.mkdir()
        (workdir / "notes.txt").write_text(NOTES, encoding="utf-8")
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(home)  # no ~/.claude settings, agents, skills or CLAUDE.md of yours
        try:
            with ScriptedServer(script(turns)) as server:
                yield workdir, server
            server.assert_done()
        finally:
            if old_home is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = old_home


READ_FILE = {
    "name": "read_file",
    "description": "Read a text file; `path` is relative to the work dir.",
    "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
}


def bare(server: ScriptedServer, workdir: Path) -> Callable[[], str]:
    """A bare streaming loop with the official SDK: no harness at all."""
    import anthropic

    def run() -> str:
        # the client is made inside the run, as the harness's model makes its own on first use
        client = anthropic.Anthropic(api_key="bench", base_url=server.url, max_retries=0)
        messages = [{"role": "user", "content": PROMPT}]
        while True:
            with client.messages.stream(model=MODEL_ID, max_tokens=8192, messages=messages,
                                        tools=[READ_FILE]) as stream:
                for _event in stream:
                    pass
                reply = stream.get_final_message()
            # plain dicts, as the harness keeps them: appending `reply.content` itself would make the SDK
            # dump every past block again on every request (about 1 ms a turn at 200 turns)
            messages.append({"role": "assistant", "content": [block.to_dict() for block in reply.content]})
            calls = [block for block in reply.content if block.type == "tool_use"]
            if not calls:
                return "".join(block.text for block in reply.content if block.type == "text")
            results = []
            for block in calls:
                with open(workdir / block.input["path"], encoding="utf-8") as file:
                    results.append({"type": "tool_result", "tool_use_id": block.id, "content": file.read()})
            messages.append({"role": "user", "content": results})

    return run


def chapter_agent(package: str) -> Callable[[ScriptedServer, Path], Callable[[], str]]:
    """A chapter's agent, built as its command line builds it for `-q` with stderr redirected."""

    def build(server: ScriptedServer, workdir: Path) -> Callable[[], str]:
        import importlib

        from rich.console import Console

        from s01_agent_loop.cli import Session, parse_args
        from s01_agent_loop.cli.console import ConsoleView
        from s01_agent_loop.cli.settings import Settings
        from s01_agent_loop.model import AnthropicModel

        chapter = importlib.import_module(f"{package}.wiring").CHAPTER
        args = parse_args(chapter, ["-q", PROMPT, "--workdir", str(workdir)])
        console = Console(file=open(os.devnull, "w", encoding="utf-8"), highlight=False)  # noqa: SIM115
        assert not console.is_terminal, "unset FORCE_COLOR / TTY_COMPATIBLE: the -q log is not a terminal here"
        model = AnthropicModel(Settings(api_key="bench", base_url=server.url, model=MODEL_ID))
        config = AgentConfig(model=MODEL_ID, max_turns=args.max_turns)
        view = ConsoleView(console, quiet=True)
        agent = chapter.build(Session(model, config, workdir, view, args, interactive=False))
        return lambda: agent.run(PROMPT)

    return build


CLIENTS = {
    "bare": ("bare SDK loop", bare),
    "s02": ("s02 harness", chapter_agent("s02_tool_use")),
    "s11": ("s11 agent, -q", chapter_agent("s11_error_recovery")),
}


def timed_session(name: str, turns: int) -> tuple[float, float]:
    """One session of the client `name`: the wall time of its run and the CPU time the process
    spent on it (this thread and the server's), in seconds."""
    with scripted_session(turns) as (workdir, server):
        run = CLIENTS[name][1](server, workdir)
        gc.collect()
        start, cpu_start = time.perf_counter(), time.process_time()
        answer = run()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if answer.strip() != "done":
        raise RuntimeError(f"{name}: unexpected answer {answer!r}")
    return seconds, cpu


def compare(turns: int, rounds: int) -> int:
    for name in CLIENTS:
        timed_session(name, 20)  # warm-up: imports, the SDK's and pydantic's caches
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in CLIENTS}
    for _ in range(rounds):
        for name in CLIENTS:
            times[name].append(timed_session(name, turns))
    print(f"{turns} turns of read_file, scripted server on 127.0.0.1, SDK streaming; "
          f"best of {rounds} rounds; {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"  {'':16} {'wall':>7} {'per turn':>10} {'over bare':>10} {'ratio':>6}  |"
          f" {'CPU':>7} {'per turn':>10} {'over bare':>10} {'ratio':>6}")
    best = {name: (min(wall for wall, _ in values), min(cpu for _, cpu in values)) for name, values in times.items()}
    for name, (label, _) in CLIENTS.items():
        cells = []
        for i in (0, 1):
            value, base = best[name][i], best["bare"][i]
            over = "" if name == "bare" else f"{(value - base) / turns * 1e3:+.2f} ms"
            cells.append(f"{value:6.2f}s {value / turns * 1e3:7.2f} ms {over:>10} {value / base:5.2f}x")
        print(f"  {label:16} {cells[0]}  | {cells[1]}")
    print("  CPU: this process's, the server's thread included; steadier than wall time on a busy machine")
    return 0


def profile(name: str, turns: int, top: int) -> int:
    """cProfile one session; list the chapter functions by cumulative and by own time per turn."""
    timed_session(name, 20)
    profiler = cProfile.Profile(time.thread_time)
    with scripted_session(turns) as (workdir, server):
        run = CLIENTS[name][1](server, workdir)
        gc.collect()
        start = time.perf_counter()
        profiler.enable()
        run()
        profiler.disable()
        seconds = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        path = Path(filename)
        if CHAPTERS in path.parents:
            where = path.relative_to(CHAPTERS).as_posix().split("/src/", 1)[-1]
            rows.append((cumulative, own, calls, f"{where}:{line}:{function}"))
    total = stats.total_tt  # every function's own time: all the main thread's CPU while profiled
    print(f"{CLIENTS[name][0]}: {turns} turns in {seconds:.2f} s wall under cProfile; main thread CPU"
          f" {total:.2f} s ({total / turns * 1e3:.2f} ms/turn). The profiler's own cost inflates small functions.")
    for title, key in (("cumulative", 0), ("own", 1)):
        print(f"\nchapter functions by {title} time, ms per turn:")
        print(f"  {'cum':>7} {'own':>7} {'calls/turn':>10}  function")
        for cumulative, own, calls, where in sorted(rows, key=lambda row: row[key], reverse=True)[:top]:
            print(f"  {cumulative / turns * 1e3:7.3f} {own / turns * 1e3:7.3f} {calls / turns:10.1f}  {where}")
    return 0


# --- the split measurement: harness time alone -----------------------------------------------


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


def split_session(turns: int, use_sdk: bool, workdir: Path) -> list[float]:
    """Run one prompt that takes `turns` model calls; return the harness overhead of each turn."""
    (workdir / "notes.txt").write_text("\n".join(f"line {i}" for i in range(40)))
    clock = {"tools": 0.0}
    if use_sdk:
        from s01_agent_loop.cli.settings import Settings
        from s01_agent_loop.model import AnthropicModel

        server = ScriptedServer(script(turns)).start()
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
    agent.run(PROMPT)
    if server:
        server.close()
        server.assert_done()
    return overheads


def split(turns: int, use_sdk: bool) -> int:
    with tempfile.TemporaryDirectory() as folder:
        split_session(20, use_sdk, Path(folder))  # warm-up: imports, pydantic schema caches
        overheads = split_session(turns, use_sdk, Path(folder))
    bucket = max(turns // 4, 1)
    print(f"s02 harness overhead per turn, {turns} turns, model {'SDK + loopback server' if use_sdk else 'in-process'}"
          " (model and tool time excluded):")
    for first in range(0, len(overheads), bucket):
        part = overheads[first : first + bucket]
        print(f"  turns {first + 1:4}-{first + len(part):4}: median {statistics.median(part) * 1e3:7.3f} ms"
              f"   p95 {sorted(part)[int(len(part) * 0.95) - 1] * 1e3:7.3f} ms")
    print(f"  all: median {statistics.median(overheads) * 1e3:.3f} ms, total {sum(overheads) * 1e3:.1f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="model calls per session (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="comparison rounds; the best is reported")
    parser.add_argument("--profile", choices=CLIENTS, help="profile one session of this client instead")
    parser.add_argument("--top", type=int, default=25, help="--profile: how many functions to list")
    parser.add_argument("--split", action="store_true", help="the harness-only measurement (model and tool excluded)")
    parser.add_argument("--sdk", action="store_true", help="--split: the real SDK over loopback, not the in-process model")
    args = parser.parse_args()
    if args.turns < 2:
        parser.error("--turns must be at least 2")
    if args.split:
        return split(args.turns, args.sdk)
    if args.profile:
        return profile(args.profile, args.turns, args.top)
    return compare(args.turns, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
