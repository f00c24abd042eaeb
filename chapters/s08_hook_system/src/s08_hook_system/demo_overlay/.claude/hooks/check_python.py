"""PostToolUse hook on edit_file|write_file: check that an edited Python file still compiles.

Answers in JSON on stdout: `decision: "block"` with a reason when it does not compile, else
`additionalContext`. Either way the text is added to the tool result the model reads. It also
notes the file in a per-session list (keyed by `session_id`) for the Stop hook.
"""

import json
import py_compile
import sys
import tempfile
from pathlib import Path

event = json.load(sys.stdin)
path = str(event["tool_input"].get("path", ""))
if not path.endswith(".py"):
    sys.exit(0)
edited = Path(tempfile.gettempdir()) / f"hooks-edited-{event['session_id']}.txt"
with edited.open("a", encoding="utf-8") as log:
    log.write(path + "\n")
try:
    py_compile.compile(str(Path(event["cwd"]) / path), doraise=True)
except py_compile.PyCompileError as error:
    print(json.dumps({"decision": "block", "reason": f"{path} no longer compiles:\n{error.msg}"}))
else:
    print(json.dumps({"hookSpecificOutput": {"hookEventName": "PostToolUse",
                                             "additionalContext": f"{path} compiles."}}))
