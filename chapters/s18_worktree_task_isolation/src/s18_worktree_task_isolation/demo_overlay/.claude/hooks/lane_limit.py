"""WorktreeCreate hook: at most three lanes at a time (each is a whole checkout, and a machine has
only so many cores). Exit code 2 refuses the new lane; stderr is the reason the model reads."""

import json
import subprocess
import sys

MAX_LANES = 3

event = json.load(sys.stdin)
listed = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=event["cwd"], capture_output=True,
                        text=True).stdout
lanes = [line for line in listed.splitlines() if line.startswith("worktree ") and "/.harness/worktrees/" in line]
if len(lanes) >= MAX_LANES:
    print(f"{len(lanes)} lanes are open already (the limit is {MAX_LANES}): merge or remove one before "
          f"making {event['name']}.", file=sys.stderr)
    sys.exit(2)
