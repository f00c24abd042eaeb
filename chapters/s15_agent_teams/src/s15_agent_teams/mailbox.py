"""`Mailbox`: one inbox per agent of a team, a file that threads and processes share safely.

    .harness/teams/<team>/inboxes/
        alice.jsonl      the log: one JSON line per message, only ever appended to
        alice.cursor     how far alice has read, a byte offset, replaced atomically (s02 write_atomic)
        .alice.lock      one sender or reader at a time, across threads and processes (filelock)

The usual file inbox (the Python course this one learns from; Claude Code's inbox JSON files) is
read whole, then emptied or rewritten: a message written between the read and the rewrite is lost,
and a reader killed between the two gets its mail twice. Here nothing is rewritten:
- send: under the lock, one whole line appended in one write. A sender killed mid-write leaves a
  line without its newline, never reported as sent: the next sender cuts it off first.
- receive: under the lock, the whole lines after the cursor, then the cursor moved past them. A
  line before the cursor was delivered, a line after it was not: each message once.
In this process a bell (a `threading.Event` per mailbox) wakes a reader at once; mail from another
process is noticed when the reader looks again (`POLL`).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from s02_tool_use.files import write_atomic

LOCK_TIMEOUT = 30.0
"""Seconds to wait for another sender or reader before giving up with an error."""
POLL = 0.25
"""Seconds between two looks at a mailbox that another process may write to."""


@dataclass(frozen=True)
class Letter:
    """One message, as one line of the log."""

    id: str
    sender: str
    """Who sent it (`from` in the file): the harness of the sending agent sets it, never the model."""
    to: str
    text: str
    time: float
    """When it was sent (seconds since the epoch)."""
    data: dict | None = None
    """A structured message's fields, set by the sending harness, never by a model (s16's protocol
    messages: `{"type": "shutdown_request", "request_id": ...}`); None for plain text."""

    def line(self) -> bytes:
        record = {"id": self.id, "from": self.sender, "to": self.to, "text": self.text, "time": self.time}
        if self.data is not None:
            record["data"] = self.data
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "replace")

    @classmethod
    def parse(cls, line: bytes) -> Letter | None:
        try:
            record = json.loads(line)
            data = record.get("data")
            return cls(str(record["id"]), str(record["from"]), str(record["to"]), str(record["text"]),
                       float(record["time"]), data if isinstance(data, dict) else None)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # not a letter (a hand-edited file): skipped, never fatal


_bells: dict[str, threading.Event] = {}  # log path -> its bell, one per mailbox in this process
_bells_lock = threading.Lock()


def bell_for(log: Path) -> threading.Event:
    with _bells_lock:
        return _bells.setdefault(os.path.abspath(log), threading.Event())


class Mailbox:
    def __init__(self, folder: Path, owner: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.owner = owner
        self.log = folder / f"{owner}.jsonl"
        self.cursor = folder / f"{owner}.cursor"
        # subtle: thread_local (filelock's default) gives each thread its own handle on the lock
        # file, so threads of one process exclude each other as processes do
        # subtle: it is held for a fraction of a millisecond, so a waiter looks again every
        # millisecond, not every 50 ms (filelock's default), which eight busy senders would feel
        self.lock = FileLock(folder / f".{owner}.lock", timeout=LOCK_TIMEOUT, poll_interval=0.005)
        self.bell = bell_for(self.log)
        """Set when a letter is sent to this mailbox from this process (or to wake its reader)."""

    def send(self, sender: str, text: str, data: dict | None = None) -> Letter:
        """Append one letter from `sender` (with `data`, a structured one); returns it once it is
        wholly in the log."""
        letter = Letter(secrets.token_hex(6), sender, self.owner, text, time.time(), data)
        line = letter.line()
        with self.lock, open(self.log, "ab+", buffering=0) as log:
            # 1. a sender killed mid-write left a line without its newline: cut it off
            size = log.seek(0, os.SEEK_END)
            if size and self.last_byte(log, size) != b"\n":
                log.truncate(self.after_last_newline(log, size))
            # 2. the whole line in one write (an append-mode file writes at its end, whatever the offset)
            written = 0
            while written < len(line):
                written += log.write(line[written:])
        self.bell.set()
        return letter

    def receive(self) -> list[Letter]:
        """Every letter not received yet, oldest first; each is returned by exactly one call."""
        with self.lock:
            start = self.read_cursor()
            try:
                with open(self.log, "rb") as log:
                    size = log.seek(0, os.SEEK_END)
                    start = start if start <= size else 0  # subtle: a log deleted and begun again
                    log.seek(start)
                    data = log.read(size - start)
            except FileNotFoundError:
                return []
            # 1. whole lines only: a line still without its newline is not sent yet
            end = data.rfind(b"\n") + 1
            if not end:
                return []
            # 2. move the cursor past them; from here on they are delivered
            write_atomic(self.cursor, str(start + end))
        return [letter for line in data[:end].splitlines() if (letter := Letter.parse(line))]

    def unread(self) -> bool:
        """Whether the log holds more than has been received (no lock: a hint, e.g. for `/team`)."""
        try:
            return self.log.stat().st_size > self.read_cursor()
        except FileNotFoundError:
            return False

    def read_cursor(self) -> int:
        try:
            return int(self.cursor.read_text(encoding="utf-8") or 0)
        except (FileNotFoundError, ValueError):
            return 0

    @staticmethod
    def last_byte(log, size: int) -> bytes:
        log.seek(size - 1)
        return log.read(1)

    @staticmethod
    def after_last_newline(log, size: int, chunk: int = 4096) -> int:
        """The offset just after the log's last newline (0 if it has none), read backwards."""
        end = size
        while end > 0:
            start = max(0, end - chunk)
            log.seek(start)
            found = log.read(end - start).rfind(b"\n")
            if found >= 0:
                return start + found + 1
            end = start
        return 0
