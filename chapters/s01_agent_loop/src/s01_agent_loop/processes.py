"""Every process a tool starts is gone when the agent is: process groups, a marker, a reaper.

- Each command runs in a process group of its own (`start`), so a timeout or Ctrl-C kills it and
  everything it started (`kill_tree`).
- subtle: `setsid` and double forks leave the group. So on Linux every process of a command also
  carries `HARNESS_TREE=<agent>:<command>` in its environment, which children inherit, and
  `kill_tree` finds them in /proc whatever group they moved to (a process that clears its own
  environment, `env -i`, is the gap left).
- SIGKILL cannot be caught. A small reaper process, started with the first command, holds the read
  end of a pipe from the agent: when the agent dies, for any reason, the pipe closes and the reaper
  kills every group and marked process still there, then exits itself.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

MARK = "HARNESS_TREE"
OWNER = f"{os.getpid()}-{secrets.token_hex(4)}"
"""This agent process, in every mark of the processes it starts."""
_counter = itertools.count(1)
_lock = threading.Lock()
_reaper: subprocess.Popen | None = None


def start(argv: list[str], workdir: Path, **options) -> subprocess.Popen:
    """Start `argv` in a process group of its own, marked, and known to the reaper."""
    tree = f"{OWNER}:{next(_counter)}"
    process = subprocess.Popen(argv, cwd=workdir, env={**os.environ, MARK: tree}, **options, **new_process_group())
    process.tree = tree  # subtle: kept on the object, for `kill_tree`
    tell_reaper(f"+{process.pid}")
    return process


def finished(process: subprocess.Popen) -> None:
    """The command and all it started are gone: the reaper may forget its group."""
    tell_reaper(f"-{process.pid}")


def kill_tree(process: subprocess.Popen) -> None:
    """Kill the process, its group, and (on Linux) every process that carries its mark."""
    kill_group(process)
    for pid in marked(getattr(process, "tree", None)):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def tree_alive(process: subprocess.Popen) -> bool:
    """Whether anything the command started is still running (its group, or a marked process)."""
    return group_alive(process) or bool(marked(getattr(process, "tree", None)))


def marked(tree: str | None) -> list[int]:
    """The processes whose environment holds `HARNESS_TREE=<tree>` (Linux; elsewhere none)."""
    if not tree or not Path("/proc/self/environ").exists():
        return []
    needle, found = f"{MARK}={tree}".encode(), []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                environ = Path(entry.path, "environ").read_bytes()
            except OSError:
                continue
            if any(item == needle or item.startswith(needle + b":") for item in environ.split(b"\0")):
                found.append(int(entry.name))
    return found


# ---------------------------------------------------------------------------------------------
# The reaper: the agent's dead-man switch.

REAPER = """
import os, signal, sys
sys.path[:0] = [sys.argv[2]]
from s01_agent_loop.processes import marked
groups = set()
for line in sys.stdin:
    (groups.add if line[0] == "+" else groups.discard)(int(line[1:]))
for pid in groups:
    try: os.killpg(pid, signal.SIGKILL)
    except OSError: pass
for pid in marked(sys.argv[1]):
    try: os.kill(pid, signal.SIGKILL)
    except OSError: pass
"""


def tell_reaper(line: str) -> None:
    """Send the reaper one line, starting it first if needed (POSIX only)."""
    global _reaper
    if os.name != "posix":
        return
    with _lock:
        if _reaper is None or _reaper.poll() is not None:
            package_parent = str(Path(__file__).resolve().parent.parent)
            _reaper = subprocess.Popen([sys.executable, "-c", REAPER, OWNER, package_parent],
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            _reaper.stdin.write(f"{line}\n".encode())
            _reaper.stdin.flush()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# Process groups differ between POSIX and Windows.


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


def group_alive(process: subprocess.Popen) -> bool:
    """Whether anything is left in the command's process group (POSIX; elsewhere False)."""
    if os.name != "posix":
        return False
    try:
        os.killpg(process.pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def kill_group(process: subprocess.Popen) -> None:
    """Kill the process and everything in its group."""
    if process.poll() is not None and os.name != "posix":
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(process.pid)], capture_output=True)
    except (ProcessLookupError, PermissionError):
        pass
