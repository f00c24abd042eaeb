"""`Job`: one shell command running in the background, and everything that keeps it honest.

s01's `run_command` waits for its command; a job does not. It starts the same way (s01's
`processes.start`: a process group of its own, the HARNESS_TREE mark, known to the reaper), and its
output goes the same way (s01's `Pump`, in chunks, to a file, never into memory, at most
`MAX_SAVED_BYTES` kept). What is new is who waits: a watcher thread, one per job, which notices
the end, records the exit code and the runtime, and calls back at once.

    job = start_job("python -m unittest", workdir, timeout=None, on_end=print)
    job.done.wait(30)           # a threading.Event: set when the command and its tree are gone
    job.read_new()              # the output since the last read (bounded), for TaskOutput
    job.tail()                  # its last lines, for the note the model gets when it ends
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from s01_agent_loop.processes import finished as forget
from s01_agent_loop.processes import kill_tree, shell_argv, start, tree_alive
from s01_agent_loop.shell import MAX_OUTPUT_CHARS, MAX_SAVED_BYTES, Pump
from s02_tool_use.state import state_path

OUTPUT_FOLDER = "background"
"""Where the output files go: `<workdir>/.harness/background/<id>.out`."""
TAIL_LINES = 15
TAIL_BYTES = 4096
"""The end of the output the model is told about: the last `TAIL_LINES` lines of the last `TAIL_BYTES`."""


@dataclass(eq=False)
class Job:
    id: str
    """`bg-` and six random hex digits: short, and unique even when two agents share the folder."""
    command: str
    path: Path
    """The output file: stdout and stderr together, as the command wrote them."""
    shown: str
    """The output file as the model and the user see it: relative to the work dir."""
    process: subprocess.Popen
    pump: Pump
    output: object  # the file the pump writes (unbuffered, so a reader sees every chunk at once)
    timeout: float | None
    """Seconds before the whole tree is killed; None: it runs until stopped or the session ends."""
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0
    ended: float | None = None
    exit_code: int | None = None
    """The shell's exit code; negative: killed by that signal (-9 is SIGKILL)."""
    stopped: str | None = None
    """Why it was killed, when it was: "stopped" (TaskStop, /jobs stop), "timed out", "killed at exit"."""
    left_running: bool = False
    """Its shell exited leaving processes behind, which were stopped with it."""
    done: threading.Event = field(default_factory=threading.Event)
    read_at: int = 0  # bytes of the output file TaskOutput has shown the model
    reported: bool = False  # the model has seen how it ended (a note, TaskOutput, TaskStop)
    conversation: int = 0  # which conversation started it (/clear starts a new one)

    # ---------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    @property
    def runtime(self) -> float:
        return (self.ended if self.ended is not None else self.clock()) - self.started

    @property
    def status(self) -> str:
        """running, done (exit code 0), failed, stopped, timed out, killed at exit."""
        if self.running:
            return "running"
        return self.stopped or ("done" if self.exit_code == 0 else "failed")

    @property
    def exit_text(self) -> str:
        """`0`, `1`, or for a killed one the signal's name (`SIGKILL`); `-` while it runs."""
        if self.exit_code is None:
            return "-"
        if self.exit_code >= 0:
            return str(self.exit_code)
        try:
            return signal.Signals(-self.exit_code).name
        except ValueError:
            return str(self.exit_code)

    @property
    def size(self) -> int:
        """Bytes it printed in all (past `MAX_SAVED_BYTES` they are counted, not kept)."""
        return self.pump.size

    def ending(self) -> str:
        """How it ended, in words: `exit code 1 after 1.4 s`, `timed out after 60 s`."""
        how = f"exit code {self.exit_text}" if not self.stopped else self.stopped
        return f"{how} after {duration(self.runtime)}" + (
            "; the processes it left running were stopped with it" if self.left_running else "")

    # ---------------------------------------------------------------------------------------

    def watch(self, on_end: Callable[[Job], None]) -> None:
        """The watcher thread: wait for the end, record it, call `on_end(job)` at once."""
        # 1. wait for the command's shell; a timeout kills the whole tree (process group and mark)
        try:
            self.process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.stop(f"timed out after {duration(self.timeout)}")
            self.process.wait()
        # 2. as with s01's bash, nothing it starts outlives it: what the shell left running (a
        #    `server &` that still holds the output pipe) is stopped now
        self.pump.join(0.5)
        if self.pump.is_alive() or tree_alive(self.process):
            kill_tree(self.process)
            self.pump.join(2)
            self.left_running = not self.stopped
        forget(self.process)
        self.output.close()
        # 3. record the end, and only then say it is done: readers of `done` see the final state
        self.exit_code, self.ended = self.process.returncode, self.clock()
        self.done.set()
        on_end(self)

    def stop(self, why: str) -> bool:
        """Kill the command and everything it started; the watcher records the end. False: it had ended."""
        if not self.running:
            return False
        self.stopped = self.stopped or why
        kill_tree(self.process)
        return True

    def read_new(self, limit: int = MAX_OUTPUT_CHARS) -> str:
        """The output written since the last call, as text; of more than `limit` bytes, the last ones
        (the end of a log is what a reader wants), saying how much was skipped."""
        end = min(self.size, MAX_SAVED_BYTES)  # subtle: the pump counts a chunk after writing it
        begin, self.read_at = self.read_at, end
        skipped = max(0, end - begin - limit)
        text = read_bytes(self.path, begin + skipped, end).decode("utf-8", errors="replace")
        if skipped:
            text = f"[... {skipped:,} bytes skipped: the whole output is in {self.shown} ...]\n" + text
        if not self.running and self.size > MAX_SAVED_BYTES and end == MAX_SAVED_BYTES:
            text += f"\n[{self.size - MAX_SAVED_BYTES:,} bytes past the first {MAX_SAVED_BYTES:,} were not saved]"
        return text

    def tail(self, lines: int = TAIL_LINES, max_bytes: int = TAIL_BYTES) -> str:
        """The last lines of the output (from its last `max_bytes`), or `(no output)`."""
        end = min(self.size, MAX_SAVED_BYTES)
        text = read_bytes(self.path, max(0, end - max_bytes), end).decode("utf-8", errors="replace")
        kept = text.rstrip("\n").splitlines()[-lines:]
        return "\n".join(kept) if any(line.strip() for line in kept) else "(no output)"


# ---------------------------------------------------------------------------------------------


def start_job(command: str, workdir: Path, timeout: float | None, on_end: Callable[[Job], None],
              clock: Callable[[], float] = time.monotonic) -> Job:
    """Start `command` in the background; `on_end(job)` is called from the watcher when it ends."""
    # 1. a fresh id and its output file, created exclusively: a name another agent took is skipped
    job_id, output = new_output_file(workdir)
    # 2. s01's start: its own process group, the HARNESS_TREE mark, the reaper told
    try:
        process = start(shell_argv(command), workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
    except BaseException:
        output.close()
        Path(output.name).unlink(missing_ok=True)
        raise
    # 3. s01's pump copies the output to the file as it comes; the watcher waits for the end
    pump = Pump(process.stdout, output)
    pump.start()
    path = Path(output.name)
    job = Job(job_id, command, path, os.path.relpath(path, workdir), process, pump, output, timeout, clock,
              started=clock())
    threading.Thread(target=job.watch, args=(on_end,), name=f"watch-{job_id}", daemon=True).start()
    return job


def new_output_file(workdir: Path):
    """A new job id and its output file, opened unbuffered for writing."""
    while True:
        job_id = f"bg-{secrets.token_hex(3)}"
        try:
            return job_id, open(state_path(workdir, OUTPUT_FOLDER, f"{job_id}.out"), "xb", buffering=0)  # noqa: SIM115
        except FileExistsError:
            continue


def read_bytes(path: Path, begin: int, end: int) -> bytes:
    try:
        with open(path, "rb") as file:
            file.seek(begin)
            return file.read(max(0, end - begin))
    except OSError:  # removed already (the session ended)
        return b""


def duration(seconds: float) -> str:
    """`0.4 s`, `12 s`, `3 min 05 s`, `2 h 01 min`."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def remove(job: Job) -> None:
    """Delete a finished job's output file (the session is over)."""
    try:
        os.unlink(job.path)
    except OSError:
        pass
