"""PreToolUse hook on edit_file|write_file: the tests are the specification, so they are read-only.

Exit code 2 blocks the call; what we write to stderr is the reason the model reads.
"""

import json
import sys

event = json.load(sys.stdin)
path = str(event["tool_input"].get("path", "")).replace("\\", "/").removeprefix("./")
if path.startswith("tests/"):
    print(f"{path}: tests/ is read-only in this project. The tests are the specification: "
          "change the code under wordstats/ so that they pass.", file=sys.stderr)
    sys.exit(2)
