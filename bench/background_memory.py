"""Do many background commands printing a lot keep the agent's memory flat?

s13 starts each background command with its output going to a file under `.harness/background/`
(s01's pump, in 64 KB chunks, at most `MAX_SAVED_BYTES` kept), never into memory; the model reads
a bounded tail or a bounded slice of it. This runs the real harness with s13's `BackgroundJobs`
and the in-process scripted model: one reply starts 20 background commands, which then print 10 MB
each, all at once; when they have ended, the next request carries the note of all 20 ends, and the model
reads each one's output with TaskOutput. It prints the peak memory (RSS) of this process, which is
the agent, before and after. For contrast, it then collects the same output the naive way
(`subprocess.run(capture_output=True)` in 20 threads) and prints that peak growth too.

    uv run python bench/background_memory.py [--commands 20] [--megabytes 10]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.tools import ToolContext
from s02_tool_use.wiring import TOOLS
from s13_background_tasks import BackgroundJobs


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=20)
    parser.add_argument("--megabytes", type=int, default=10)
    args = parser.parse_args()
    command = f"head -c {args.megabytes * 1_000_000} /dev/zero | tr '\\0' 'a' | fold -w 99"
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        # warm up: one short job through the whole path, so imports and first-use costs are paid
        jobs = BackgroundJobs(Inbox(), max_running=args.commands)
        model = ScriptedModel([tool_use("bash", command="echo warm", run_in_background=True), text("ok")])
        agent = Harness(model, AgentConfig(model="bench"), workdir, tools=TOOLS, extensions=[jobs])
        agent.run("warm up")
        for job in jobs.jobs.values():
            job.done.wait(30)
        before = peak_mb()
        # 1. one reply starts every command in the background, at once
        start = time.perf_counter()
        gated = f"until [ -e go ]; do sleep 0.01; done; {command}"
        model.script += [message(*[tool_use("bash", command=gated, run_in_background=True)
                                   for _ in range(args.commands)]), text("started")]
        agent.run("run them all in the background")
        started = time.perf_counter() - start
        running = [job for job in jobs.jobs.values() if job.running]
        (workdir / "go").touch()  # the gate: all of them print at once
        for job in jobs.jobs.values():
            job.done.wait(600)
        elapsed = time.perf_counter() - start
        # 2. the next request carries the note of every end; the model reads each output (bounded)
        model.script.append(text("all done"))
        agent.run("how did they go?")
        note = agent.messages[-2]["content"][-1]["text"]
        context = ToolContext(workdir, agent)
        read = sum(len(agent.tools.call("TaskOutput", {"task_id": job_id}, context).content)
                   for job_id in list(jobs.jobs)[1:])
        printed = sum(job.size for job in jobs.jobs.values())
        saved = sum(job.path.stat().st_size for job in jobs.jobs.values())
        after = peak_mb()
        agent.close()
    print(f"{args.commands} background commands ({len(running)} running at once after the reply, which "
          f"returned in {started:.2f} s) printed {printed / 1e6:,.0f} MB in {elapsed:.1f} s; "
          f"{saved / 1e6:,.0f} MB in their files")
    print(f"the model read a {len(note):,}-character note of their ends and {read:,} characters with TaskOutput")
    print(f"peak memory of the agent: {before:,.0f} MB before, {after:,.0f} MB after "
          f"(growth {after - before:,.1f} MB)")
    # 3. the contrast: the same output held in memory
    outputs: list[bytes] = []
    threads = [threading.Thread(target=lambda: outputs.append(
        subprocess.run(command, shell=True, capture_output=True, check=False).stdout))
        for _ in range(args.commands)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"for contrast, capture_output=True in {args.commands} threads: {sum(map(len, outputs)) / 1e6:,.0f} MB "
          f"held, peak memory {peak_mb():,.0f} MB (growth {peak_mb() - after:,.1f} MB)")


if __name__ == "__main__":
    main()
