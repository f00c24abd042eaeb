"""How long until the REPL's prompt is ready, in a project where every capability is configured.

    uv run python bench/startup.py [--runs 10]        (POSIX: it needs a pseudo-terminal)

The project is a copy of the sample project with what `full` reads at start: `.claude/settings.json`
(permission rules; PreToolUse, PostToolUse, UserPromptSubmit, SessionStart and Stop hooks),
`.claude/settings.local.json` (a rule, and s19's own stdio server approved), `.mcp.json` (that
server: `python -m s19_mcp_plugin.server`), three skills, two agents, `CLAUDE.md` with an `@import`,
`CLAUDE.local.md`, two memory files and their index, a git repository with one commit.

Each run starts the command on a pseudo-terminal and times from the launch until the prompt (`›`)
is on the screen, then sends Ctrl-D and waits for the process to end. Measured: `.venv/bin/full`,
`uv run full` (uv's own check of the environment comes on top), `s01_agent_loop` in the same folder
for comparison, and `full --help`, which imports no SDK. Python's bytecode is cached, as on a user's
machine from the second launch (in a scratch `PYTHONPYCACHEPREFIX`, so the work tree is untouched);
one row runs with `PYTHONDONTWRITEBYTECODE=1` and no cache for the chapters' modules, compiled at
every launch (the libraries' bytecode comes from `uv sync --compile-bytecode`). Figures are the
median and the range over `--runs`, the cases taking turns. The issue's target: the prompt within
1 s of launch, the SDK loading behind it.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from s01_agent_loop.cli.demo import SAMPLE_PROJECT

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
PROMPT = "›".encode()  # prompt_toolkit draws the space after it by moving the cursor
CURSOR_QUERY = b"\x1b[6n"  # prompt_toolkit asks where the cursor is; a terminal answers


def hook(script: str) -> dict:
    return {"hooks": [{"type": "command", "command": f'python "$CLAUDE_PROJECT_DIR"/.claude/hooks/{script}',
                       "timeout": 30}]}


def configure(folder: Path) -> Path:
    """The sample project with every capability configured, as a user of `full` would have it."""
    shutil.copytree(SAMPLE_PROJECT, folder)
    claude = folder / ".claude"
    overlays = {chapter: next((CHAPTERS / chapter / "src").iterdir()) / "demo_overlay"
                for chapter in ("s04_subagent", "s05_skill_loading", "s08_hook_system", "s10_system_prompt",
                                "s18_worktree_task_isolation")}
    shutil.copytree(overlays["s05_skill_loading"] / ".claude/skills", claude / "skills")
    shutil.copytree(overlays["s08_hook_system"] / ".claude/hooks", claude / "hooks")
    (claude / "agents").mkdir()
    shutil.copy(overlays["s04_subagent"] / ".claude/agents/reviewer.md", claude / "agents")
    shutil.copy(overlays["s18_worktree_task_isolation"] / ".claude/agents/fixer.md", claude / "agents")
    shutil.copytree(overlays["s10_system_prompt"], folder, dirs_exist_ok=True)  # CLAUDE.md (@docs/style.md), docs/
    settings = {
        "permissions": {"allow": ["Bash(python -m unittest:*)", "Bash(git status:*)", "Bash(ls:*)",
                                  "Edit(wordstats/**)", "Edit(tests/**)", "mcp__wordstats"],
                        "ask": ["Bash(git push:*)"],
                        "deny": ["Read(./secrets/**)", "Bash(rm:*)", "Bash(curl:*)", "mcp__wordstats__add_text"]},
        "hooks": {"SessionStart": [hook("suite_status.py")], "UserPromptSubmit": [hook("suite_status.py")],
                  "PreToolUse": [{"matcher": "edit_file|write_file", **hook("protect_tests.py")}],
                  "PostToolUse": [{"matcher": "edit_file|write_file", **hook("check_python.py")}],
                  "Stop": [hook("tests_before_stop.py")]},
    }
    (claude / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
    local = {"permissions": {"allow": ["Bash(git diff:*)"]}, "enabledMcpjsonServers": ["wordstats"]}
    (claude / "settings.local.json").write_text(json.dumps(local, indent=2), encoding="utf-8")
    servers = {"mcpServers": {"wordstats": {"type": "stdio", "command": sys.executable,
                                            "args": ["-m", "s19_mcp_plugin.server", "--root", "."]}}}
    (folder / ".mcp.json").write_text(json.dumps(servers, indent=2), encoding="utf-8")
    memory = folder / ".harness" / "memory"
    memory.mkdir(parents=True)
    notes = {"run-tests-verbose": ("feedback", "Run the tests verbosely, python -m unittest -v"),
             "wordstats-layout": ("project", "The library is wordstats/stats.py; tests/ mirrors it")}
    for name, (kind, description) in notes.items():
        (memory / f"{name}.md").write_text(f"---\nname: {name}\ndescription: {description}\ntype: {kind}\n---\n"
                                           f"{description}.\n", encoding="utf-8")
    (memory / "MEMORY.md").write_text("".join(f"- [{name}]({name}.md) - {description}\n"
                                              for name, (_, description) in notes.items()), encoding="utf-8")
    (folder / ".gitignore").write_text(".harness/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(git + command, cwd=folder, check=True)
    return folder


# ---------------------------------------------------------------------------------------------


def to_prompt(command: list[str], cwd: Path, env: dict, timeout: float = 30) -> float:
    """Seconds from launching `command` on a pseudo-terminal until the prompt is on its screen;
    then Ctrl-D, and the process is waited for (what it started ends with it)."""
    began = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, in the project, on the terminal
        try:
            os.chdir(cwd)
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    screen = b""
    try:
        while PROMPT not in screen:
            if not select.select([fd], [], [], max(0.0, began + timeout - time.perf_counter()))[0]:
                raise TimeoutError(f"no prompt after {timeout} s: {screen[-400:]!r}")
            screen += read(fd, screen)
            if CURSOR_QUERY in screen[-64:]:
                os.write(fd, b"\x1b[1;1R")
        elapsed = time.perf_counter() - began
        os.write(fd, b"\x04")
        finish(pid, fd)
        return elapsed
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(fd)


def read(fd: int, screen: bytes) -> bytes:
    try:
        data = os.read(fd, 65536)
    except OSError:  # the child closed the terminal
        data = b""
    if not data:
        raise EOFError(f"the process ended before its prompt: {screen[-1000:].decode(errors='replace')}")
    return data


def finish(pid: int, fd: int, timeout: float = 20) -> None:
    """Drain the terminal until the process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
        if select.select([fd], [], [], 0.05)[0]:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def to_exit(command: list[str], cwd: Path, env: dict) -> float:
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - began


def uv_binary() -> str:
    """uv itself. subtle: a pyenv shim (a bash script that runs `pyenv exec uv`) adds a quarter of
    a second to every `uv` command; that is the shim's, so the real binary is measured."""
    found = shutil.which("uv") or "uv"
    if "/shims/" in found:
        where = subprocess.run(["pyenv", "which", "uv"], capture_output=True, text=True)
        found = where.stdout.strip() if where.returncode == 0 else found
    return found


def row(name: str, times: list[float]) -> str:
    median = statistics.median(times)
    return f"{name:<46} {median:>7.2f}s {min(times):>6.2f}-{max(times):.2f}s  {'yes' if median < 1 else 'no':>5}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="startup-bench-"))
    folder = configure(scratch / "project")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env |= {"ANTHROPIC_API_KEY": "bench-no-request-is-sent", "TERM": os.environ.get("TERM", "xterm"),
            "HARNESS_NO_DOTENV": "1", "PYTHONPYCACHEPREFIX": str(scratch / "bytecode")}
    # as the work tree is: the libraries' bytecode from `uv sync --compile-bytecode`, none for the chapters
    uncached = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    del uncached["PYTHONPYCACHEPREFIX"]
    venv = ROOT / ".venv" / "bin"
    uv_run = [uv_binary(), "run", "--locked", "--project", str(ROOT)]  # --locked: never rewrites uv.lock
    cases = {  # name: (measure, command, environment)
        ".venv/bin/full (prompt)": (to_prompt, [str(venv / "full")], env),
        "uv run full (prompt)": (to_prompt, [*uv_run, "full"], env),
        ".venv/bin/s01_agent_loop (prompt)": (to_prompt, [str(venv / "s01_agent_loop")], env),
        ".venv/bin/full, no bytecode cache (prompt)": (to_prompt, [str(venv / "full")], uncached),
        ".venv/bin/full --help (exit)": (to_exit, [str(venv / "full"), "--help"], env),
        "uv run full --help (exit)": (to_exit, [*uv_run, "full", "--help"], env),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    try:
        for measure, command, environment in cases.values():  # not counted: bytecode written, files cached
            measure(command, folder, environment)
        for _ in range(args.runs):  # round-robin, so a busy moment of the machine falls on every case alike
            for name, (measure, command, environment) in cases.items():
                times[name].append(measure(command, folder, environment))
        print(f"{args.runs} runs in {folder}; bytecode cached (in {scratch / 'bytecode'}) except where said")
        print(f"{'launch until the prompt is on the screen, or exit':<46} {'median':>8} {'range':>12}  {'< 1 s':>5}")
        for name, measured in times.items():
            print(row(name, measured))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
