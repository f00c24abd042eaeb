"""The one tool of chapter 1: `bash`, a shell command run in the work dir.

What makes it safe enough to hand to a model: it never waits forever (a timeout kills the command
and everything it started), it never floods the context (output is capped, with a note of what was
cut), and it always answers with text (bytes that are not UTF-8 are replaced, silence is reported).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 600.0
MAX_OUTPUT_CHARS = 30_000

BASH_TOOL = {
    "name": "bash",
    "description": (
        "Run a shell command in the work dir and return its combined stdout and stderr. "
        "Each call starts a fresh shell: `cd` does not carry over. Output beyond "
        f"{MAX_OUTPUT_CHARS:,} characters is cut in the middle."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "command": {"type": "string", "description": "The command to run, e.g. `ls -la src`."},
            "timeout": {
                "type": "number",
                "description": f"Seconds before the command is killed (default {DEFAULT_TIMEOUT:g}, "
                f"at most {MAX_TIMEOUT:g}).",
            },
        },
        "required": ["command"],
    },
}


def run_bash(command: str, workdir: Path, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Run `command` with the system shell in `workdir`; return what a model should read.

    >>> run_bash("echo hi; exit 3", Path("."))
    'hi\\n[exit code 3]'
    """
    timeout = min(max(float(timeout), 1.0), MAX_TIMEOUT)
    # 1. start the command in a process group of its own, so a timeout can kill its children too
    process = subprocess.Popen(
        shell_argv(command),
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **new_process_group(),
    )
    # 2. wait, but not forever; Ctrl-C in the REPL also kills the whole group
    note = ""
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        output = drain(process)
        note = f"\n[timed out after {timeout:g} s; the command and its child processes were killed]"
    except BaseException:
        kill_group(process)
        process.wait()
        raise
    # 3. bytes to text: UTF-8, never failing on bad bytes
    text = cap(output.decode("utf-8", errors="replace")).rstrip("\n")
    if process.returncode and not note:
        note = f"\n[exit code {process.returncode}]"
    return (text + note).strip("\n") or "(no output)"


def cap(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head and the tail of a long output and say how much was cut between them."""
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[... {cut:,} characters cut ...]\n{text[-half:]}"


def drain(process: subprocess.Popen) -> bytes:
    """What a killed command had written. subtle: a grandchild that left the process group may
    still hold the pipe open, so this waits a little, not forever."""
    try:
        output, _ = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        output = b""
    return output or b""


# ---------------------------------------------------------------------------------------------
# Process groups differ between POSIX and Windows.


def shell_argv(command: str) -> list[str]:
    """`bash -c COMMAND`; on Windows without bash (Git Bash, WSL), cmd.exe, whose syntax differs."""
    if os.name == "posix":
        return ["/bin/sh" if not shutil.which("bash") else "bash", "-c", command]
    bash = shutil.which("bash")
    return [bash, "-c", command] if bash else ["cmd.exe", "/d", "/s", "/c", command]


def new_process_group() -> dict:
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}


def kill_group(process: subprocess.Popen) -> None:
    """Kill the process and everything it started."""
    if process.poll() is not None and os.name != "posix":
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(process.pid)], capture_output=True)
    except (ProcessLookupError, PermissionError):
        pass
