"""What an MCP server costs (s19): the start, a call's round trip, the stop, over stdio and HTTP.

    uv run python bench/mcp_latency.py [--calls 200] [--rounds 3]

The server is the course's own `wordstats` (s19_mcp_plugin/server.py) on a copy of the sample
project. For stdio, s19's `Servers` spawns it; the start is spawn + `initialize` + `tools/list`,
most of it the child importing `mcp`. For HTTP the server runs beforehand on 127.0.0.1 and the
start is the connection and the handshake alone. A call is `Servers.call` from this (the harness's)
thread through the loop thread to the server and back: `word_count` on a nine-line text. Each figure
is the best of `--rounds`; calls are given as median and 90th percentile.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from s01_agent_loop.cli.demo import SAMPLE_PROJECT
from s01_agent_loop.cli.testing import wait_until
from s19_mcp_plugin.config import ServerConfig
from s19_mcp_plugin.servers import Servers

ARGS = {"path": "texts/lighthouse.txt"}


def measure(config: ServerConfig, workdir: Path, calls: int) -> tuple[float, list[float], float]:
    servers = Servers({config.name: config}, workdir)
    began = time.perf_counter()
    servers.start()
    servers.wait_started()
    started = time.perf_counter() - began
    assert servers.servers[config.name].status == "connected", servers.servers[config.name].error
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        servers.call(config.name, lambda client, name, args: client.call_tool(name, args), "word_count", ARGS)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    servers.close()
    return started, times, time.perf_counter() - t


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="mcp-bench-"))
    shutil.copytree(SAMPLE_PROJECT, workdir, dirs_exist_ok=True)
    port = free_port()
    http = subprocess.Popen([sys.executable, "-m", "s19_mcp_plugin.server", "--http", str(port), "--root", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: listening(port), 30)
        configs = [ServerConfig("stdio", "stdio", "cli", "bench", sys.executable, ("-m", "s19_mcp_plugin.server")),
                   ServerConfig("http", "http", "cli", "bench", url=f"http://127.0.0.1:{port}/mcp")]
        print(f"{'transport':<10} {'start':>8} {'call p50':>9} {'call p90':>9} {'first':>8} {'stop':>7}")
        for config in configs:
            runs = [measure(config, workdir, args.calls) for _ in range(args.rounds)]
            start = min(r[0] for r in runs)
            p50 = min(statistics.median(r[1]) for r in runs)
            p90 = min(sorted(r[1])[int(len(r[1]) * 0.9)] for r in runs)
            first = min(r[1][0] for r in runs)
            stop = min(r[2] for r in runs)
            print(f"{config.name:<10} {start:>7.2f}s {p50 * 1000:>7.2f}ms {p90 * 1000:>7.2f}ms {first * 1000:>6.1f}ms "
                  f"{stop:>6.2f}s")
    finally:
        http.terminate()
        http.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
