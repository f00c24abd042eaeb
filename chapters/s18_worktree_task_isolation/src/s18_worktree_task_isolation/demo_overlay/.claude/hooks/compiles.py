"""PostToolUse hook on edit_file|write_file: an edited Python file must still compile. It runs in
the work dir of the agent that edited, so for a subagent in a lane it checks the lane's copy, and
says which folder it checked."""

import json
import py_compile
import sys
from pathlib import Path

event = json.load(sys.stdin)
path = str(event["tool_input"].get("path", ""))
if not path.endswith(".py"):
    sys.exit(0)
where = Path(event["cwd"]).name
try:
    py_compile.compile(str(Path(event["cwd"]) / path), doraise=True)
except py_compile.PyCompileError as error:
    print(json.dumps({"decision": "block", "reason": f"{path} no longer compiles (in {where}):\n{error.msg}"}))
else:
    print(json.dumps({"hookSpecificOutput": {"hookEventName": "PostToolUse",
                                             "additionalContext": f"{path} compiles (checked in {where})."}}))
