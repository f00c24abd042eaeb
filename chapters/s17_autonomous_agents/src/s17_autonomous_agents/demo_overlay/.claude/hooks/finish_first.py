"""TeammateIdle hook: a teammate may not go idle while it owns a task in progress.

It reads the task board (s12 keeps one JSON file per task in .harness/tasks/). Exit code 2 sends
the teammate back to work; what we write to stderr is its next prompt.
"""

import json
import sys
from pathlib import Path

event = json.load(sys.stdin)
open_tasks = []
for path in (Path(event["cwd"]) / ".harness" / "tasks").glob("*.json"):
    try:
        task = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        continue
    if task.get("owner") == event["teammate_name"] and task.get("status") == "in_progress":
        open_tasks.append(f"#{task['id']} \"{task['subject']}\"")
if open_tasks:
    print(f"You still own {', '.join(sorted(open_tasks))}, in progress. Finish it and mark it completed "
          "(TaskUpdate), or tell the lead why you cannot.", file=sys.stderr)
    sys.exit(2)
