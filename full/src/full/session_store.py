"""The session file: one conversation as JSONL, `.harness/sessions/<id>.jsonl`, appended as it happens.

    {"type":"session","sessionId":"3f2a…","cwd":"/home/me/app","model":"claude-…","timestamp":"…"}   first line
    {"type":"prompt","text":"fix the failing test","timestamp":"…"}            each prompt, as typed
    {"type":"sync","at":4,"messages":[{…},{…}],"states":{…},"timestamp":"…"}   what changed since the last sync
    {"type":"resume","model":"claude-…","timestamp":"…"}                         brought back (--continue)

Replaying the lines gives the history back exactly: a sync line sets `messages[at:]` to its
messages. Usually `at` is the old length (messages were added); it is smaller when an earlier
message changed in place (s06's compaction and cleared tool results, s01's `add_user` joining a
trailing user message): the history is rewound to `at` and goes on from there. `states` holds the
extensions' `session_state` (s02) that changed since, by class name (null: it has none any more).

subtle: each sync is ONE line, written whole and flushed, so the file replays to a history that
really was, never to half of one (a tool_use without its result). A kill -9 mid-write leaves a torn
last line: reading ignores it, and the next writer cuts it off before appending.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from s02_tool_use.state import state_dir

FOLDER = "sessions"
PROMPT_LINE = b'{"type":"prompt",'


class SessionError(Exception):
    """A session file that cannot be read as one (the message names the file and the line)."""


def now_stamp() -> str:
    """An ISO 8601 UTC timestamp with milliseconds, as Claude Code's transcripts have."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sessions_dir(workdir: Path) -> Path:
    """`<workdir>/.harness/sessions/`, made on first use."""
    folder = state_dir(workdir) / FOLDER
    folder.mkdir(exist_ok=True)
    return folder


# ---------------------------------------------------------------------------------------------


@dataclass
class Saved:
    """A session file replayed: the history and states as the last whole line left them."""

    path: Path
    id: str
    messages: list[dict] = field(default_factory=list)
    states: dict[str, dict] = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    model: str | None = None
    cwd: str | None = None
    whole: int = 0
    """Bytes up to the end of the last whole line: a writer cuts what follows (a torn line)."""


def replay(path: Path) -> Saved:
    """Read a session file back. A torn last line (the writer was killed mid-write) is left out."""
    data = path.read_bytes()
    saved = Saved(path, path.stem)
    lines = data.split(b"\n")
    offset = 0
    for number, line in enumerate(lines, 1):
        last = number == len(lines)  # the text after the last newline: empty, or a torn line
        if last:
            break
        offset += len(line) + 1
        if not line.strip():
            saved.whole = offset
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise SessionError(f"{path}: line {number} is not a JSON record; the file was changed by hand or broken")
        apply(saved, record)
        saved.whole = offset
    return saved


def apply(saved: Saved, record: dict) -> None:
    kind = record.get("type")
    if kind == "session":
        saved.id = record.get("sessionId", saved.id)
        saved.model, saved.cwd = record.get("model"), record.get("cwd")
    elif kind == "prompt":
        saved.prompts.append(record.get("text", ""))
    elif kind == "sync":
        if "at" in record:
            saved.messages[record["at"]:] = record["messages"]
        for name, state in record.get("states", {}).items():
            if state is None:
                saved.states.pop(name, None)
            else:
                saved.states[name] = state
    elif kind == "resume":
        saved.model = record.get("model", saved.model)


# ---------------------------------------------------------------------------------------------


class SessionInUse(SessionError):
    """Another process is writing this session (two writers would interleave their lines)."""


class SessionWriter:
    """Appends to one session file: whole lines, each flushed. `saved` mirrors what the file replays to.
    One writer per session at a time, across processes: it holds `<id>.jsonl.lock` while it writes
    (an OS lock, so a writer killed with -9 lets go of it)."""

    def __init__(self, path: Path):
        from filelock import FileLock

        self.path = path
        self.file = None
        self.saved: list[str] = []  # each message as the file holds it (compact JSON)
        self.states: dict[str, str] = {}  # each extension's state as the file holds it (compact JSON)
        self.lock = FileLock(f"{path}.lock", timeout=0, thread_local=False)

    def claim(self) -> None:
        """Take the session for this process; SessionInUse when another has it."""
        from filelock import Timeout

        try:
            self.lock.acquire()
        except Timeout:
            raise SessionInUse(f"session {self.path.stem[:8]} is open in another process; "
                               "leave it there first, or start a new session") from None

    def start(self, header: dict) -> None:
        """A new file, its first line `header`."""
        self.claim()
        self.file = open(self.path, "x", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed by close()
        self.append(header)

    def reopen(self, saved: Saved) -> None:
        """Go on appending to a file read back (claimed first): a torn last line is cut off first."""
        if self.path.stat().st_size > saved.whole:
            with open(self.path, "r+b") as torn:
                torn.truncate(saved.whole)
        self.file = open(self.path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed by close()
        self.saved = [dumps(message) for message in saved.messages]
        self.states = {name: dumps(state) for name, state in saved.states.items()}

    def append(self, record: dict) -> None:
        self.write(dumps({**record, "timestamp": now_stamp()}))

    def write(self, line: str) -> None:
        self.file.write(line + "\n")
        self.file.flush()

    def sync(self, messages: list[dict], states: dict) -> bool:
        """Write what changed since the last sync as one line; False when nothing did."""
        dumped = [dumps(message) for message in messages]
        at = next((i for i, (a, b) in enumerate(zip(dumped, self.saved, strict=False)) if a != b),
                  min(len(dumped), len(self.saved)))
        now = {name: dumps(state) for name, state in states.items()}
        changed = {name: text for name, text in now.items() if self.states.get(name) != text}
        changed |= {name: "null" for name in self.states if name not in now}
        parts = ['"type":"sync"']
        if at < len(self.saved) or at < len(dumped):
            parts.append(f'"at":{at},"messages":[{",".join(dumped[at:])}]')
        if changed:
            parts.append('"states":{' + ",".join(f"{dumps(name)}:{text}" for name, text in changed.items()) + "}")
        if len(parts) == 1:
            return False
        self.write("{" + ",".join(parts) + f',"timestamp":"{now_stamp()}"' + "}")
        self.saved, self.states = dumped, now
        return True

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self.lock.release()


# ---------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """One line of the picker: a session without its history read."""

    path: Path
    id: str
    modified: float  # the file's mtime: when it was last written
    first_prompt: str
    turns: int


def summarize(path: Path) -> Summary:
    """The id, the first prompt and the number of prompts, reading only the prompt lines."""
    prompts = []
    with open(path, "rb") as file:
        for line in file:
            if line.startswith(PROMPT_LINE) and line.endswith(b"\n"):
                try:
                    prompts.append(json.loads(line).get("text", ""))
                except ValueError:
                    continue
    return Summary(path, path.stem, path.stat().st_mtime, prompts[0] if prompts else "", len(prompts))


def list_sessions(workdir: Path) -> list[Summary]:
    """This folder's sessions with at least one prompt, the most recently written first."""
    folder = Path(workdir) / ".harness" / FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.jsonl"):
        try:
            summary = summarize(path)
        except OSError:
            continue
        if summary.turns:
            found.append(summary)
    return sorted(found, key=lambda s: s.modified, reverse=True)


def find_session(workdir: Path, wanted: str) -> Summary:
    """The session whose id is `wanted` or starts with it; SessionError (one line) when none or several do."""
    sessions = list_sessions(workdir)
    exact = [s for s in sessions if s.id == wanted]
    matches = exact or [s for s in sessions if wanted and s.id.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(s.id[:12] for s in matches[:5])
        raise SessionError(f"{len(matches)} sessions start with {wanted!r} ({shown}); give more of the id")
    recent = ", ".join(s.id[:8] for s in sessions[:3])
    where = os.path.join(".harness", FOLDER)
    raise SessionError(f"no session {wanted!r} in {where}/ of this folder" +
                       (f" (recent: {recent}; --continue takes the latest)" if sessions else " (none saved yet)"))
