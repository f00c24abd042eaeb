"""Does a long session stay inside its context budget, and what does that cost the prompt cache?

    uv run python bench/context_budget.py [--turns 300] [--budget 60000] [--no-compare]

A scripted session of `--turns` model calls, split over ten user prompts: most ask for a
`read_file` of a generated log of 2,000 to 90,000 characters (the biggest are spilled to
`.harness/tool-outputs/`), every fourth writes a notes file of 2,000 to 8,000 characters (a
tool_use input, which clearing leaves alone), and each says a few sentences. The session runs
through the real SDK against the loopback ScriptedServer with chapter 6's `Compactor`; when the
compactor asks for a summary, the server answers it with a scripted one.
A small extension puts two prompt-cache breakpoints on each request, on the system prompt and on
the last message (what chapter 10 does for real), so the server's usage shows what the cache saves.

It reports the peak context size (the API's count of the largest request) against the budget,
the number of spills, clearings and compactions, and the share of input tokens read from the
cache, over the whole session and before and after the first compaction. Unless `--no-compare`,
the same session runs again with the cache-hostile policy (`rewrite_at_least=0`: clear whenever
above the threshold) for contrast. Exits 1 if the peak exceeds the budget.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ScriptedServer, say, step
from s02_tool_use import Extension, Harness, Section
from s02_tool_use.wiring import TOOLS
from s06_context_compact import CompactionConfig, Compactor
from s06_context_compact.summary import SUMMARY_SYSTEM
from s06_context_compact.tokens import counted_tokens

PROMPTS = 10
CACHE = {"type": "ephemeral"}


class SummarisingServer(ScriptedServer):
    """Plays the tool steps in order, and answers any summary request with a summary of its own."""

    def take(self, body: dict):
        if body.get("system") == SUMMARY_SYSTEM:
            with self._lock:
                self.replies.insert(self.n_used, say("Summary: the files read so far were large logs; "
                                                     "the notes files hold the summaries."))
        return super().take(body)


class CacheBreakpoints(Extension):
    """Marks the end of the system prompt and the last message of each request (on a copy)."""

    def shape_request(self, agent, request):
        *earlier, last = request.messages
        blocks = [{"type": "text", "text": last["content"]}] if isinstance(last["content"], str) else last["content"]
        marked = {**last, "content": [*blocks[:-1], {**blocks[-1], "cache_control": CACHE}]}
        end = request.sections[-1]
        request.sections[-1] = Section(end.name, end.text, cache=True)
        request.messages = [*earlier, marked]


class Recorded:
    """The model, keeping the usage of every reply and whether it answered a summary request."""

    def __init__(self, inner):
        self.inner = inner
        self.log: list[tuple[bool, object]] = []  # (is a summary request, usage)

    def query(self, request, on_text=None):
        reply = self.inner.query(request, on_text=on_text)
        self.log.append((request.get("system") == SUMMARY_SYSTEM, reply.usage))
        return reply


def make_files(workdir: Path, rng: random.Random) -> list[str]:
    names = []
    for i in range(40):
        n_lines = rng.choice([40, 80, 150, 300, 600, 1200, 1800])
        lines = [f"{i:02d}:{n:05d} INFO worker-{rng.randint(1, 9)} handled request in {rng.randint(1, 999)} ms"
                 for n in range(n_lines)]
        (workdir / f"log{i:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        names.append(f"log{i:02d}.txt")
    return names


def model_step(rng: random.Random, names: list[str], n: int):
    """Most steps read a log; every fourth writes a summary file (a big tool_use input, which
    clearing does not touch). Each comes with a sentence or two of the model's reasoning."""
    thought = " ".join(rng.choice(["Next,", "The latencies", "look normal;", "worker", "spikes", "continue."])
                       for _ in range(rng.randint(20, 60)))
    if n % 4 == 3:
        content = "".join(f"- request {rng.randint(1, 99999)}: {rng.randint(1, 999)} ms\n"
                          for _ in range(rng.randint(60, 200)))
        return step(thought, [{"name": "write_file", "input": {"path": f"notes/summary{n}.md", "content": content}}])
    return step(thought, [{"name": "read_file", "input": {"path": rng.choice(names)}}])


def session(turns: int, budget: int, rewrite_at_least: float, workdir: Path) -> dict:
    rng = random.Random(6)
    names = make_files(workdir, rng)
    per_prompt = turns // PROMPTS
    script = []
    for _ in range(PROMPTS):
        script += [model_step(rng, names, n) for n in range(per_prompt - 1)]
        script.append(say("Done: the logs are read and the summaries written."))
    server = SummarisingServer(script).start()
    model = Recorded(AnthropicModel(Settings(api_key="bench", base_url=server.url), max_retries=0))
    compactor = Compactor(CompactionConfig(budget=budget, rewrite_at_least=rewrite_at_least))
    agent = Harness(model, AgentConfig(model="bench"), workdir, tools=TOOLS, extensions=[compactor, CacheBreakpoints()])
    started = time.perf_counter()
    try:
        for p in range(PROMPTS):
            agent.run(f"Prompt {p + 1}: read the logs I name, one by one.")
    finally:
        server.close()
    server.assert_done()
    main = [(i, usage) for i, (summary, usage) in enumerate(model.log) if not summary]
    first = next((i for i, (summary, _) in enumerate(model.log) if summary), len(model.log))
    return {
        "requests": len(main),
        "seconds": time.perf_counter() - started,
        "peak": max(counted_tokens(usage) for _, usage in main),
        "spills": len(list((workdir / ".harness" / "tool-outputs").glob("*.txt"))),
        "clearings": compactor.n_clearings,
        "compactions": compactor.n_compactions,
        "cache_all": cache_share([u for _, u in main]),
        "cache_before": cache_share([u for i, u in main if i < first]),
        "cache_after": cache_share([u for i, u in main if i > first]),
        "input_tokens": sum(counted_tokens(u) for _, u in main),
    }


def cache_share(usages: list) -> float:
    total = sum(counted_tokens(u) for u in usages)
    return sum(u.cache_read_input_tokens or 0 for u in usages) / total if total else 0.0


def report(name: str, budget: int, r: dict) -> None:
    print(f"{name}:")
    print(f"  {r['requests']} requests in {r['seconds']:.1f} s; peak context {r['peak']:,} tokens "
          f"of a {budget:,} budget ({r['peak'] / budget:.0%})")
    rewrites = r["clearings"] + r["compactions"]
    print(f"  {r['spills']} outputs spilled, {r['clearings']} clearings, {r['compactions']} compactions: "
          f"the history was rewritten once every {r['requests'] / max(1, rewrites):.1f} requests")
    print(f"  input tokens sent {r['input_tokens']:,}; read from the cache: {r['cache_all']:.1%} overall, "
          f"{r['cache_before']:.1%} before the first compaction, {r['cache_after']:.1%} after it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="model calls in the session (default 300)")
    parser.add_argument("--budget", type=int, default=60_000, help="context budget in tokens (default 60,000)")
    parser.add_argument("--no-compare", action="store_true", help="skip the run with the cache-hostile policy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = session(args.turns, args.budget, CompactionConfig().rewrite_at_least, Path(folder))
    report("chapter 6's policy (rewrite_at_least=0.1)", args.budget, result)
    if not args.no_compare:
        with tempfile.TemporaryDirectory() as folder:
            naive = session(args.turns, args.budget, 0.0, Path(folder))
        report("cache-hostile policy (rewrite_at_least=0)", args.budget, naive)
    if result["peak"] > args.budget:
        print(f"FAIL: the peak context {result['peak']:,} exceeds the budget {args.budget:,}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
