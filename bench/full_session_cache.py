"""How much of each request does full's whole agent read from the prompt cache in a long session?

    uv run python bench/full_session_cache.py

The session of full/tests/test_cache_session.py (imported from there, so the two never differ):
full's agent, built by its wiring, on a copy of the sample project with every capability
configured (s07's rules, s08's hooks, s05's skills, s04's agent types, a memory, s10's CLAUDE.md,
s19's MCP server, a git repository), plays ten prompts and 30 model requests through the real SDK
against the loopback ScriptedServer, whose usage reports `cache_read_input_tokens` like the API;
one prompt starts a subagent (s04's reviewer), whose own 2 requests are listed but not counted:
a subagent has its own tools and system prompt, so its first request starts a cache of its own.

It prints, for each request, the tokens the server counted (uncached input, cache reads, cache
writes) and the cache-read share, cache_read / (input + cache_read + cache_write); then the
lowest and the mean share after the first request, and the input cost of the session relative to
sending everything uncached (cache reads cost 0.1x the base input price, cache writes 1.25x).
Exits 1 if any request after the first reads less than 90% from the cache (the test asserts it too).

    uv run python bench/full_session_cache.py --team

adds a prompt that creates a team (s15) in the middle, to show what that costs: the lead's team,
protocols and autonomy sections join the system prompt (as `dynamic` sections, after s10's static
part), so the request after it reads the tools and the old system prompt from the cache but none
of the messages (measured: 79.2% for that one request, then 98-99% again). Not held to 90%.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import time
import uuid
from pathlib import Path

from s01_agent_loop.scripted.usage import PromptCache

TEST = Path(__file__).resolve().parents[1] / "full" / "tests" / "test_cache_session.py"


def load_session_module():
    spec = importlib.util.spec_from_file_location("full_cache_session", TEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def with_team(session):
    """The session with a prompt, fourth, that creates a team."""
    from s01_agent_loop.scripted import say, step

    def prompts():
        script = session()
        script.insert(3, ("Start a team for the median fix.", [
            step(tool_use=[{"name": "TeamCreate", "input": {"team_name": "median-fix", "description": "the median"}}]),
            step(tool_use=[{"name": "read_file", "input": {"path": "README.md"}}]),
            say("Team median-fix is up.")]))
        return script

    return prompts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--team", action="store_true", help="create a team in the middle of the session")
    args = parser.parse_args()
    started = time.perf_counter()
    session = load_session_module()
    if args.team:
        session.session = with_team(session.session)
    workdir = session.configured_project(f"bench-{uuid.uuid4().hex[:8]}")
    try:
        played_at = time.perf_counter()
        server, probe, _view = session.play(workdir)
        seconds = time.perf_counter() - played_at
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # the subagent's requests: the usage the server computed, replayed with the same cache rules
    cache = PromptCache()
    usages = [cache.usage_for(body) for body in server.requests]
    print(f"{'request':>7}  {'agent':>8}  {'input':>6}  {'cache read':>10}  {'cache write':>11}  {'share':>6}")
    for n, usage in enumerate(usages):
        usage = {"input": usage["input_tokens"], "cache_read": usage["cache_read_input_tokens"],
                 "cache_write": usage["cache_creation_input_tokens"]}
        who = "agent" if n in probe.sent else "subagent"
        if who == "agent":
            assert usage == probe.usage[probe.sent.index(n)], "the replay differs from what the server reported"
        print(f"{n + 1:>7}  {who:>8}  {usage['input']:>6,}  {usage['cache_read']:>10,}  {usage['cache_write']:>11,}  "
              f"{session.share(usage):>6.1%}")
    after = [session.share(usage) for usage in probe.usage[1:]]
    total = sum(u["input"] + u["cache_read"] + u["cache_write"] for u in probe.usage)
    billed = sum(u["input"] + 0.1 * u["cache_read"] + 1.25 * u["cache_write"] for u in probe.usage)
    print(f"\nthe agent's {len(probe.usage)} requests, {total:,} input tokens in all; after the first: lowest share "
          f"{min(after):.1%}, mean {sum(after) / len(after):.1%}")
    print(f"input cost {billed / total:.2f}x of sending it all uncached")
    print(f"the session took {seconds:.1f} s (hooks, tests and the MCP server really run); "
          f"{time.perf_counter() - started:.1f} s with imports and the project")
    low = [n for n, s in enumerate(after, 2) if s < session.MIN_SHARE]
    if low and not args.team:
        print(f"FAIL: requests {low} read less than {session.MIN_SHARE:.0%} from the cache", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
