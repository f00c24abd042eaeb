"""How much a team of teammates gets done: s15's teammates against a model that takes 200 ms a call.

    uv run python bench/team_throughput.py [--latency 0.2] [--seconds 8] [--teammates 1 4]

For each team size: a fresh work dir with a board of tasks, a lead built by s15's wiring, and that
many teammates, each the chapter's own harness in a thread with its own SDK client, spawned with
`SpawnTeammate` and given its share of the tasks. The scripted model (s01's `ScriptedServer`, over
loopback HTTP, streaming) answers each teammate's requests from that teammate's own script, each
answer after `--latency` seconds. A task costs two model calls: TaskUpdate in_progress plus a
write_file of its output, then TaskUpdate completed. After `--seconds` the team is stopped (its
SessionEnd) and the completed tasks on the board are counted.

The model's latency dominates and the teammates wait for it in parallel, so N teammates should get
close to N times the work of one; the target for 4 is at least 3 times.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

from s01_agent_loop import AgentConfig
from s01_agent_loop.agent import View
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ScriptedServer, step
from s02_tool_use.tools import ToolContext
from s12_task_system import TaskBoard
from s15_agent_teams import TeamLead
from s15_agent_teams.lead import SpawnTeammateInput, TeamCreateInput
from s15_agent_teams.wiring import CHAPTER

TASKS_EACH = 60  # more than a teammate can finish in the time: the clock, not the list, ends the run


def script_for(name: str, task_ids: list[str]) -> list:
    """Two replies per task, then a last word (never reached in time)."""
    steps = []
    for task_id in task_ids:
        steps.append(step(agent=name, tool_use=[
            {"name": "TaskUpdate", "input": {"taskId": task_id, "owner": name, "status": "in_progress"}},
            {"name": "write_file", "input": {"path": f"out/{task_id}.txt", "content": f"task {task_id} by {name}\n"}}]))
        steps.append(step(agent=name, tool_use=[
            {"name": "TaskUpdate", "input": {"taskId": task_id, "status": "completed"}}]))
    return [*steps, step("All my tasks are done.", agent=name)]


def run_team(n: int, latency: float, seconds: float) -> tuple[int, float]:
    """Completed tasks after `seconds` with `n` teammates, and the model calls per second."""
    workdir = Path(tempfile.mkdtemp(prefix="team-bench-"))
    board = TaskBoard(workdir)
    names = [f"mate{k}" for k in range(1, n + 1)]
    shares = {name: [board.create(f"task for {name} #{i}").id for i in range(TASKS_EACH)] for name in names}
    script = [step for name in names for step in script_for(name, shares[name])]
    try:
        with ScriptedServer(script, latency=latency) as server:
            settings = Settings(api_key="scripted", base_url=server.url, model="claude-bench")
            args = parse_args(CHAPTER, ["--permission-mode", "bypassPermissions"])
            agent = CHAPTER.build(Session(AnthropicModel(settings), AgentConfig(model="claude-bench"), workdir,
                                          View(), args, interactive=False, inbox=Inbox()))
            lead, ctx = TeamLead.of(agent), ToolContext(workdir, agent)
            lead.team_create(TeamCreateInput(team_name="bench"), ctx)
            started = time.monotonic()
            for name in names:
                tasks = ", ".join(f"#{i}" for i in shares[name])
                lead.spawn_teammate(SpawnTeammateInput(name=name, role="worker", prompt=f"Do tasks {tasks}."), ctx)
            threading.Event().wait(max(0.0, seconds - (time.monotonic() - started)))
            calls = len(server.requests)
            agent.close()
            if server.violations:
                raise SystemExit("\n".join(server.violations))
        done = sum(1 for task in TaskBoard(workdir).tasks().values() if task.status == "completed")
        return done, calls / seconds
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the model takes per call")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long each team works")
    parser.add_argument("--teammates", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    results = {}
    print(f"model latency {args.latency * 1000:.0f} ms per call, {args.seconds:g} s per team")
    for n in args.teammates:
        done, rate = run_team(n, args.latency, args.seconds)
        results[n] = done
        print(f"{n} teammate{'s' * (n != 1)}: {done:3d} tasks completed ({rate:.1f} model calls/s)")
    if len(results) > 1:
        base, *_ = results.values()
        for n, done in list(results.items())[1:]:
            print(f"{n} teammates / {next(iter(results))}: {done / max(base, 1):.2f}x the tasks")


if __name__ == "__main__":
    main()
