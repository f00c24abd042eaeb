"""TaskCompleted hook: a task is completed only when the tests it names pass.

A task's description may have a line `Tests: tests.test_stats tests.test_empty`; the hook runs
`python -m unittest` on those modules (names only: a description is never run as a command).
Exit code 2 keeps the task open; what we write to stderr is what the agent reads.
"""

import json
import re
import subprocess
import sys

event = json.load(sys.stdin)
named = re.search(r"^Tests: (.+)$", event.get("task_description") or "", re.MULTILINE)
modules = [m for m in (named.group(1).split() if named else []) if re.fullmatch(r"[A-Za-z_][\w.]*", m)]
if not modules:
    sys.exit(0)
run = subprocess.run([sys.executable, "-m", "unittest", *modules], cwd=event["cwd"], capture_output=True,
                     text=True, encoding="utf-8", errors="replace", timeout=50)
if run.returncode != 0:
    lines = (run.stdout + run.stderr).strip().splitlines()
    failures = [line for line in lines if line.startswith(("FAIL:", "ERROR:", "AssertionError"))]
    print(f"python -m unittest {' '.join(modules)} fails:\n" + "\n".join(failures[:6] + lines[-1:]),
          file=sys.stderr)
    sys.exit(2)
