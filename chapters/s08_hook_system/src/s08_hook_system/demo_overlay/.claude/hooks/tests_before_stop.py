"""Stop hook: if this session edited Python files, the agent may not stop while the tests fail.

`decision: "block"` keeps the model going, with `reason` as its next instruction. When
`stop_hook_active` is true the model is already answering a block of ours: let it stop, so a
suite that cannot be fixed never traps it in a loop.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

event = json.load(sys.stdin)
edited = Path(tempfile.gettempdir()) / f"hooks-edited-{event['session_id']}.txt"
if not edited.exists():
    sys.exit(0)
if event["stop_hook_active"]:
    edited.unlink(missing_ok=True)  # the session may end here: leave nothing behind
    sys.exit(0)
run = subprocess.run([sys.executable, "-m", "unittest"], cwd=event["cwd"], capture_output=True, text=True,
                     encoding="utf-8", errors="replace", timeout=50)
if run.returncode != 0:
    lines = (run.stdout + run.stderr).strip().splitlines()
    failures = [line for line in lines if line.startswith(("FAIL:", "ERROR:")) or "Error:" in line]
    report = "\n".join(failures[:10] + lines[-1:])
    print(json.dumps({"decision": "block",
                      "reason": f"You edited Python files and the tests fail. Fix this before you stop:\n{report}"}))
else:
    edited.unlink(missing_ok=True)
