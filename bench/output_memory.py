"""Does a command that prints a lot keep the agent's memory flat?

s01's shell streams a command's output into a file (at most `MAX_SAVED_BYTES`), never into
memory, and returns only its head and tail. This prints 1 GB through `run_command` and reports
the time and the peak memory of this process before and after.

    uv run python bench/output_memory.py [--megabytes 1000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from s01_agent_loop.shell import MAX_SAVED_BYTES, run_command


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1000)
    args = parser.parse_args()
    before = peak_mb()
    start = time.perf_counter()
    command = f"head -c {args.megabytes * 1_000_000} /dev/zero | tr '\\0' 'a' | fold -w 99"
    finished = run_command(command, Path(tempfile.gettempdir()), timeout=600)
    elapsed = time.perf_counter() - start
    saved = finished.path.stat().st_size
    finished.path.unlink()
    print(f"printed {finished.size / 1e6:,.0f} MB in {elapsed:.1f} s; saved {saved / 1e6:,.0f} MB "
          f"(bound {MAX_SAVED_BYTES / 1e6:,.0f} MB); returned {len(finished.text):,} characters")
    print(f"peak memory of this process: {before:,.0f} MB before, {peak_mb():,.0f} MB after")


if __name__ == "__main__":
    main()
