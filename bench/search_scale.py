"""How grep, glob and the file tools scale: one 200 MB file and a 100,000-file tree.

s02's search tools are bounded (SEARCH_TIMEOUT_SECONDS, GLOB_MAX_FILES, the first MAX_RESULTS
matches kept) and read files a line at a time; this measures what that costs on big input. grep
runs twice, with `rg` and with the Python fallback (a forked child process); glob has one
implementation. read_file and edit_file are measured on the big file too.

    uv run python bench/search_scale.py [--megabytes 200] [--files 100000]

Each measurement runs in a fresh process (this script with `--one`), through the tool registry as
the agent calls it, and reports its wall time, the peak memory (max RSS) of that process and of
its children (rg or the Python search's child), and the bound the result says was hit, if any.
The Python search's child is forked, so its peak includes the pages it shares with its parent.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = "the quick brown fox jumps over the lazy dog, line {n:>9}\n"
WORKLOADS = [  # (name, where, tool, input, backends)
    ("grep rare word", "big", "grep", {"pattern": "needle"}, ("rg", "python")),
    ("grep every line", "big", "grep", {"pattern": "fox"}, ("rg", "python")),
    ("glob", "big", "glob", {"pattern": "**/*.txt"}, ("-",)),
    ("read_file, last lines", "big", "read_file", {"path": "big.txt", "offset": 2_000_000, "limit": 10}, ("-",)),
    ("read_file, first 2000", "big", "read_file", {"path": "big.txt"}, ("-",)),
    ("edit_file, missing text", "big", "edit_file", {"path": "big.txt", "old_string": "zz", "new_string": "y"}, ("-",)),
    ("grep rare word", "tree", "grep", {"pattern": "needle"}, ("rg", "python")),
    ("grep every file", "tree", "grep", {"pattern": "def main"}, ("rg", "python")),
    ("grep (a+)+$", "tree", "grep", {"pattern": "(a+)+$"}, ("rg", "python")),
    ("glob all .py", "tree", "glob", {"pattern": "**/*.py"}, ("-",)),
    ("glob 12 stars", "tree", "glob", {"pattern": "*a" * 12 + "*b"}, ("-",)),
]


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def make_big(folder: Path, megabytes: int) -> None:
    """One file of `megabytes` MB: short lines, `needle` once per million lines."""
    folder.mkdir()
    with open(folder / "big.txt", "w") as f:
        n, size = 0, 0
        while size < megabytes * 2**20:
            line = LINE.format(n=n) if n % 1_000_000 != 999_999 else "a needle in the haystack\n"
            f.write(line)
            n, size = n + 1, size + len(line)


def make_tree(folder: Path, n_files: int) -> None:
    """`n_files` small files, 1000 to a folder, half `.py`; in one of them `needle`, and forty `a`s
    that `(a+)+$` backtracks over forever in Python's `re`."""
    for n in range(n_files):
        path = folder / f"pkg{n // 1000:03}" / f"mod{n % 1000:03}.{'py' if n % 2 else 'txt'}"
        if n % 1000 == 0:
            path.parent.mkdir(parents=True)
        body = f"def main():\n    return {n}\n" + ("# needle\n" + "a" * 40 + "!\n" if n == n_files // 2 else "")
        path.write_text(body)


def measure_one(spec: dict) -> dict:
    """In the child process: one tool call, timed, and the memory it took."""
    from s02_tool_use import search
    from s02_tool_use.files import FILE_TOOLS
    from s02_tool_use.search import SEARCH_TOOLS
    from s02_tool_use.tools import ToolContext, ToolRegistry

    if spec["backend"] == "python":
        search.ripgrep_binary = lambda: None
    registry = ToolRegistry().add(*FILE_TOOLS, *SEARCH_TOOLS)
    before = peak_mb(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = registry.call(spec["tool"], spec["input"], ToolContext(Path(spec["workdir"])))
    seconds = time.perf_counter() - start
    lines = result.content.split("\n")
    bound = next((line for line in lines if "stopped" in line or "too large" in line), "")
    return {"seconds": seconds, "before_mb": before, "self_mb": peak_mb(resource.RUSAGE_SELF),
            "children_mb": peak_mb(resource.RUSAGE_CHILDREN), "lines": len(lines), "error": result.is_error,
            "first": lines[0][:60], "bound": bound[:110]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(json.loads(args.one))))
        return
    with tempfile.TemporaryDirectory(prefix="search-scale-") as tmp:
        places = {"big": Path(tmp, "big"), "tree": Path(tmp, "tree")}
        start = time.perf_counter()
        make_big(places["big"], args.megabytes)
        make_tree(places["tree"], args.files)
        size = (places["big"] / "big.txt").stat().st_size
        print(f"made {size / 2**20:,.0f} MB in one file and {args.files:,} files in "
              f"{time.perf_counter() - start:.1f} s\n")  # fmt: skip
        print(f"{'input':<6} {'call':<24} {'backend':<7} {'seconds':>8} {'peak MB':>8} {'child MB':>8}  result")
        before = []
        for name, where, tool, tool_input, backends in WORKLOADS:
            for backend in backends:
                spec = {"tool": tool, "input": tool_input, "backend": backend, "workdir": str(places[where])}
                done = subprocess.run([sys.executable, __file__, "--one", json.dumps(spec)], capture_output=True,
                                      text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"}, check=True)  # fmt: skip
                m = json.loads(done.stdout)
                before.append(m["before_mb"])
                said = m["bound"] or f"{m['lines']} lines{' (error)' if m['error'] else ''}: {m['first']}"
                print(f"{where:<6} {name:<24} {backend:<7} {m['seconds']:>8.2f} {m['self_mb']:>8.0f} "
                      f"{m['children_mb']:>8.0f}  {said}")  # fmt: skip
        print(f"\npeak MB: the measuring process's max RSS ({min(before):.0f}-{max(before):.0f} MB of it before "
              "the call: Python and the imports); child MB: rg's or the forked search's max RSS")


if __name__ == "__main__":
    main()
