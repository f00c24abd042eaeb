"""How s12's task board scales: 1,000 tasks with random dependency edges.

    uv run python bench/task_board.py [--tasks 1000] [--edges 2000] [--rounds 20]

Builds the board through `TaskBoard` (one JSON file per task, under the file lock), then times
`TaskList` through the tool registry as the agent calls it: the first call (every file read and
parsed) and the warm ones (files unchanged since the last read come from the board's cache: one
`scandir` and a `stat` each). Also times one `TaskUpdate` that adds an edge (lock, fresh read of
every file, cycle check, two atomic writes). The target: TaskList under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from s02_tool_use.tools import ToolContext, ToolRegistry
from s12_task_system import TaskSystem
from s12_task_system.board import reaches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--edges", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="task-board-bench-"))
    system = TaskSystem(workdir)
    board, rng = system.board, random.Random(7)
    started = time.perf_counter()
    for n in range(args.tasks):
        board.create(f"task number {n}", description="x" * rng.randrange(0, 400))
    # random edges from a lower id to a higher one: never a cycle; written in one go (as many
    # TaskUpdates would leave them), both sides
    tasks, made = board.tasks(fresh=True), 0
    while made < args.edges:
        a, b = sorted(rng.sample(range(1, args.tasks + 1), 2))
        first, then = tasks[str(a)], tasks[str(b)]
        if then.id not in first.blocks:
            first.blocks.append(then.id)
            then.blockedBy.append(first.id)
            made += 1
    for task in tasks.values():
        task.status = rng.choice(["pending", "pending", "in_progress", "completed"])
        board.write(task)
    built = time.perf_counter() - started
    registry, ctx = ToolRegistry().add(*system.tools()), ToolContext(workdir)
    cold_board = TaskSystem(workdir)  # a fresh process's board: nothing cached
    cold_registry = ToolRegistry().add(*cold_board.tools())
    started = time.perf_counter()
    listing = cold_registry.call("TaskList", {}, ctx).content
    cold = time.perf_counter() - started
    warm = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        registry.call("TaskList", {}, ctx)
        warm.append(time.perf_counter() - started)
    a, b = next((a, b) for a, b in ((str(rng.randrange(1, args.tasks)), str(rng.randrange(1, args.tasks)))
                                    for _ in range(10_000)) if a != b and not reaches(tasks, b, a))
    started = time.perf_counter()
    result = registry.call("TaskUpdate", {"taskId": b, "addBlockedBy": [a]}, ctx)
    update = time.perf_counter() - started
    assert not result.is_error, result.content
    print(f"{args.tasks} tasks, {args.edges} edges (built in {built:.1f} s); {listing.splitlines()[0]}")
    print(f"TaskList, first call (every file parsed): {cold * 1000:.1f} ms")
    print(f"TaskList, warm (median of {args.rounds}):      {statistics.median(warm) * 1000:.1f} ms "
          f"(max {max(warm) * 1000:.1f} ms)")
    print(f"TaskUpdate adding one edge:            {update * 1000:.1f} ms")
    print(f"target: TaskList under 50 ms: {'met' if max(cold, *warm) < 0.05 else 'NOT met'}")


if __name__ == "__main__":
    main()
