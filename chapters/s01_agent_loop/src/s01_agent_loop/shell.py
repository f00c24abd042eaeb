"""The one tool of chapter 1: `bash`, a shell command run in the work dir.

What makes it safe enough to hand to a model: it never waits forever (a timeout kills the command
and everything it started), it never floods the context (output is capped, with a note of what was
cut), and it always answers with text (bytes that are not UTF-8 are replaced, silence is reported).
The output streams into a file as it comes, so memory stays flat whatever a command prints; a later
chapter (s06) hands the model that whole file instead of the cut text.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .processes import finished as forget
from .processes import kill_tree, shell_argv, start, tree_alive

DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 600.0
MAX_OUTPUT_CHARS = 30_000
MAX_SAVED_BYTES = 256 * 1024 * 1024
"""The most output kept in the command's output file (what s06 saves for the model to read)."""

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
    finished = run_command(command, workdir, timeout)
    finished.path.unlink(missing_ok=True)
    return finished.text


@dataclass
class Finished:
    """What a command left: the text for the model, and the file that holds all of its output."""

    text: str
    path: Path
    """Every byte the command printed, up to `MAX_SAVED_BYTES`. The caller owns (and deletes) it."""
    size: int
    """How many bytes the command printed in all."""
    cut: bool
    """Whether `text` holds only the head and the tail of the output."""


def run_command(command: str, workdir: Path, timeout: float = DEFAULT_TIMEOUT) -> Finished:
    """`run_bash`, keeping the whole output in a file: memory stays flat however much is printed."""
    timeout = min(max(float(timeout), 1.0), MAX_TIMEOUT)
    # 1. start the command in a process group of its own, marked, so that a timeout can kill it and
    #    everything it started (processes.py)
    process = start(shell_argv(command), workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT)
    # 2. a thread copies the output to a file as it comes (never into memory), up to a bound
    saved = tempfile.NamedTemporaryFile(prefix="harness-output-", suffix=".txt", delete=False)  # noqa: SIM115 - closed below, handed on
    pump = Pump(process.stdout, saved)
    pump.start()
    # 3. wait, but not forever; Ctrl-C in the REPL also kills the whole group
    note = ""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(process)
        process.wait()
        note = f"\n[timed out after {timeout:g} s; the command and its child processes were killed]"
    except BaseException:
        kill_tree(process)
        process.wait()
        forget(process)
        pump.join(1)
        saved.close()
        Path(saved.name).unlink(missing_ok=True)
        raise
    # 4. the shell has exited; what it left running in the background holds the output open
    pump.join(0.5)
    if pump.is_alive() or tree_alive(process):
        kill_tree(process)
        pump.join(2)
        if not note:
            note = ("\n[the command left processes running in the background; they were stopped when it "
                    "finished: nothing a bash call starts outlives it]")
    forget(process)
    saved.close()
    # 5. bytes to text: UTF-8, never failing on bad bytes; the head and the tail of a long output
    text, cut = head_and_tail(Path(saved.name), pump.size)
    text = text.rstrip("\n")
    if pump.size > MAX_SAVED_BYTES:
        text += f"\n[{pump.size - MAX_SAVED_BYTES:,} bytes past the first {MAX_SAVED_BYTES:,} were not saved]"
    if process.returncode and not note:
        note = f"\n[exit code {process.returncode}]"
    return Finished((text + note).strip("\n") or "(no output)", Path(saved.name), pump.size, cut)


class Pump(threading.Thread):
    """Copies a pipe to a file in chunks, up to `MAX_SAVED_BYTES`; past that it only counts."""

    def __init__(self, pipe, file):
        super().__init__(daemon=True)  # subtle: a grandchild that escaped may hold the pipe forever
        self.pipe, self.file = pipe, file
        self.size = 0

    def run(self) -> None:
        while chunk := self.pipe.read1(1 << 16):
            room = MAX_SAVED_BYTES - self.size
            if room > 0:
                self.file.write(chunk[:room])
            self.size += len(chunk)


def head_and_tail(path: Path, size: int, limit: int = MAX_OUTPUT_CHARS) -> tuple[str, bool]:
    """The output as text, or its head and tail if it is longer than `limit` (read from the file,
    never whole into memory); and whether it was cut."""
    with open(path, "rb") as file:
        if size <= 4 * limit:  # subtle: a character may take up to 4 bytes; cap() counts characters
            text = file.read().decode("utf-8", errors="replace")
            return cap(text, limit), len(text) > limit
        head = file.read(2 * limit).decode("utf-8", errors="replace")[: limit // 2]
        file.seek(max(0, min(size, MAX_SAVED_BYTES) - 2 * limit))
        tail = file.read().decode("utf-8", errors="replace")[-(limit // 2):]
    return f"{head}\n[... {max(0, size - len(head) - len(tail)):,} bytes cut ...]\n{tail}", True


def cap(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Keep the head and the tail of a long output and say how much was cut between them."""
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n[... {cut:,} characters cut ...]\n{text[-half:]}"
