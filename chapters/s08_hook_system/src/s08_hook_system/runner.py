"""Running one command hook, and reading what it answered.

The protocol is Claude Code's. The command runs in the work dir, with `CLAUDE_PROJECT_DIR` set to
it and the event as JSON on stdin. How it ends is the answer:
    exit 0      success; stdout may be JSON that decides (`hookSpecificOutput`, `decision`...)
                or, for UserPromptSubmit and SessionStart, plain text added as context
    exit 2      block: stderr is the reason (what "block" means depends on the event)
    otherwise   a non-blocking error: the user sees it, the agent goes on
A hook never hangs the agent: at the timeout it is killed with everything it started, using
s01's process-group helpers, exactly as `bash` is.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from s01_agent_loop.processes import drain, kill_group, new_process_group, shell_argv

from .config import HookCommand

STDERR_LINES = 5


@dataclass
class HookRun:
    hook: HookCommand
    exit_code: int | None
    """None when the hook timed out or could not start."""
    stdout: str = ""
    stderr: str = ""
    output: dict | None = None
    """stdout parsed as a JSON object, when it is one."""
    error: str | None = None
    """Set when the run is a non-blocking error: one message that names the hook and what went wrong."""

    @property
    def blocked(self) -> bool:
        """Exit code 2: the hook blocks what the event announces."""
        return self.exit_code == 2

    @property
    def blocks(self) -> bool:
        """Exit 2, or JSON that says so: `decision: "block"`, `permissionDecision: "deny"`."""
        return (self.blocked or (self.output or {}).get("decision") == "block"
                or self.specific().get("permissionDecision") == "deny")

    @property
    def reason(self) -> str:
        """Why it blocked: stderr for exit 2, else the JSON's `reason` (or the decision's reason)."""
        if self.blocked:
            return self.stderr.strip() or f"{self.hook.label()} exited with code 2 and gave no reason"
        specific = self.specific()
        text = (self.output or {}).get("reason") or specific.get("permissionDecisionReason")
        return str(text or f"{self.hook.label()} gave no reason")

    def specific(self) -> dict:
        """`hookSpecificOutput` of the JSON answer, or {}."""
        value = (self.output or {}).get("hookSpecificOutput")
        return value if isinstance(value, dict) else {}

    def context(self) -> str | None:
        """Text for the model: `additionalContext`, or plain (non-JSON) stdout where Claude Code
        uses it (UserPromptSubmit, SessionStart; elsewhere plain stdout is only for the user's log)."""
        extra = self.specific().get("additionalContext")
        if extra:
            return str(extra)
        plain = self.hook.event in ("UserPromptSubmit", "SessionStart")
        if plain and self.output is None and self.exit_code == 0 and self.stdout.strip():
            return self.stdout.strip()
        return None


def run_hook(hook: HookCommand, payload: dict, workdir: Path) -> HookRun:
    """Run `hook` with `payload` on its stdin; never raises for anything the hook does."""
    # 1. start it like `bash`: the system shell, the work dir, a process group of its own
    env = os.environ | {"CLAUDE_PROJECT_DIR": str(workdir)}
    try:
        process = subprocess.Popen(shell_argv(hook.command), cwd=workdir, env=env, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, **new_process_group())
    except OSError as error:
        return HookRun(hook, None, error=f"{hook.label()} could not start: {error}")
    # 2. the event as JSON on stdin; at the timeout, kill the whole group
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    try:
        out, err = process.communicate(data, timeout=hook.timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        drain(process)
        return HookRun(hook, None, error=f"{hook.label()} timed out after {hook.timeout:g}s and was killed")
    except BaseException:  # Ctrl-C: no hook outlives the turn
        kill_group(process)
        process.wait()
        raise
    run = HookRun(hook, process.returncode, out.decode("utf-8", errors="replace"),
                  err.decode("utf-8", errors="replace"))
    # 3. read the answer: JSON on exit 0, a block on exit 2, an error otherwise
    if run.exit_code == 0:
        run.output, problem = parse_output(run.stdout)
        if problem:
            run.error = f"{hook.label()}: {problem}"
    elif run.exit_code != 2:
        run.error = f"{hook.label()} failed with exit code {run.exit_code}" + first_lines(run.stderr)
    return run


def parse_output(stdout: str) -> tuple[dict | None, str | None]:
    """A JSON object from stdout, or None for plain text; invalid JSON is a problem to report.
    subtle: only stdout that starts with `{` is taken for JSON, so plain context text can be anything."""
    text = stdout.strip()
    if not text.startswith("{"):
        return None, None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"stdout is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
    return value, None


def first_lines(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    more = f"\n  … {len(lines) - STDERR_LINES} more lines" if len(lines) > STDERR_LINES else ""
    return ":\n  " + "\n  ".join(lines[:STDERR_LINES]) + more
