"""`Team`: a team on disk. Files are what the members share, threads or processes alike.

    .harness/teams/<team>/
        config.json          the team: name, description, and its members (name, role, how each runs)
        inboxes/             one `Mailbox` per member, the lead's too (mailbox.py)
        members/<name>.json  each member's state, written by that member only: working, idle or
                             stopped, tokens used, its process id
        logs/<name>.log      what a teammate running as a process printed

The lead creates the team and adds members (under the team's lock); every member reads the
config. The task board is s12's, the folder's `.harness/tasks/`: the team works on one board.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock

from s02_tool_use.files import write_atomic
from s02_tool_use.state import STATE_DIR, state_dir
from s02_tool_use.tools import ToolError

from .mailbox import LOCK_TIMEOUT, Mailbox

LEAD = "lead"
"""The lead's name in its team: what teammates write to."""
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
"""A team's or a teammate's name: it names files, so lowercase letters, digits, - and _."""


@dataclass
class Member:
    name: str
    role: str = ""
    """What the member is for, in a few words ("tester"); the lead's is "lead"."""
    runs_as: str = "thread"
    """"thread", "process", or "lead" (the user's session)."""


def check_name(name: str, what: str) -> str:
    if not NAME.fullmatch(name):
        raise ToolError(f"{what} {name!r} is not a valid name: use 1-32 lowercase letters, digits, - or _, "
                        "starting with a letter (e.g. `alice`, `test-writer`).")
    return name


class Team:
    def __init__(self, workdir: Path, name: str):
        self.name = name
        self.folder = Path(workdir) / STATE_DIR / "teams" / name  # made by `create` (through s02's state_dir)
        self.lock = FileLock(self.folder / ".lock", timeout=LOCK_TIMEOUT)

    # the config --------------------------------------------------------------------------------

    @classmethod
    def create(cls, workdir: Path, name: str, description: str = "") -> Team:
        """A new team, led by this session, with the lead as its only member."""
        team = cls(workdir, check_name(name, "The team name"))
        (state_dir(workdir) / "teams" / name).mkdir(parents=True, exist_ok=True)
        with team.lock:
            if team.exists():
                raise ToolError(f"A team named {name!r} exists already (from an earlier session: "
                                f".harness/teams/{name}); choose another name.")
            team.write_config({"name": name, "description": description, "created": time.time(),
                               "members": [asdict(Member(LEAD, "lead", "lead"))]})
        return team

    def exists(self) -> bool:
        return (self.folder / "config.json").exists()

    def config(self) -> dict:
        return json.loads((self.folder / "config.json").read_text(encoding="utf-8"))

    def write_config(self, config: dict) -> None:
        write_atomic(self.folder / "config.json", json.dumps(config, ensure_ascii=False, indent=1))

    def members(self) -> list[Member]:
        return [Member(**m) for m in self.config().get("members", [])]

    def member(self, name: str) -> Member | None:
        """The member named `name`; None when there is none (or no team of this name)."""
        if not self.exists():
            return None
        return next((m for m in self.members() if m.name == name), None)

    def add(self, member: Member) -> None:
        """Add a member (one of the same name is replaced: its role, how it runs)."""
        with self.lock:
            config = self.config()
            config["members"] = [m for m in config["members"] if m["name"] != member.name] + [asdict(member)]
            self.write_config(config)

    @property
    def description(self) -> str:
        return self.config().get("description", "")

    # mail and state ----------------------------------------------------------------------------

    def mailbox(self, name: str) -> Mailbox:
        return Mailbox(self.folder / "inboxes", name)

    def write_state(self, name: str, state: dict) -> None:
        """A member's own state file (only that member writes it; atomically)."""
        path = self.folder / "members" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"name": name, **state, "updated": time.time()}))

    def state(self, name: str) -> dict:
        """A member's last state; a process that died without saying so is `stopped`."""
        try:
            state = json.loads((self.folder / "members" / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"name": name, "status": "stopped", "tokens": 0}
        if state.get("status") != "stopped" and state.get("pid") and not alive(state["pid"]):
            state["status"] = "stopped"
        return state

    def log_path(self, name: str) -> Path:
        path = self.folder / "logs" / f"{name}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (POSIX; elsewhere assumed)."""
    if pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
