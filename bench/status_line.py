"""What full's status line costs per redraw (prompt_toolkit redraws it every second while the user types).

    uv run python bench/status_line.py [--messages 300] [--chars 4000] [--calls 500]

The whole harness (full's wiring) on the in-process scripted model, after one real turn; then the
history is grown to `--messages` messages of `--chars` characters each (a long session: 300 x 4,000
is about 300k tokens). Timed, best of 5 rounds of `--calls` calls each: `status_line(agent, 120)`
with the history unchanged between calls (as at the prompt), and once per round with a message
added before each call (the worst case: every call estimates the whole history again).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--chars", type=int, default=4000)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()

    from full.status import status_line
    from full.wiring import CHAPTER
    from s01_agent_loop.cli.testing import build_agent
    from s01_agent_loop.scripted import ScriptedModel, text

    with tempfile.TemporaryDirectory() as folder:
        agent = build_agent(CHAPTER, Path(folder), ScriptedModel([text("ok")]), "--permission-mode", "bypassPermissions")
        try:
            agent.run("hello")
            for _ in range(args.messages // 2):
                agent.messages.append({"role": "user", "content": [{"type": "text", "text": "u" * args.chars}]})
                agent.messages.append({"role": "assistant", "content": [{"type": "text", "text": "a" * args.chars}]})
            print(status_line(agent, 120))
            steady, changing = [], []
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(args.calls):
                    status_line(agent, 120)
                steady.append((time.perf_counter() - started) / args.calls)
                started = time.perf_counter()
                for _ in range(20):
                    agent.messages.append({"role": "user", "content": [{"type": "text", "text": "more"}]})
                    status_line(agent, 120)
                    agent.messages.pop()
                changing.append((time.perf_counter() - started) / 20)
            print(f"{len(agent.messages)} messages, {sum(len(str(m)) for m in agent.messages):,} characters")
            print(f"history unchanged: {1e6 * min(steady):.0f} µs per call")
            print(f"history changed before each call: {1e3 * min(changing):.1f} ms per call")
        finally:
            agent.close()


if __name__ == "__main__":
    main()
