"""`Requests`: a team's requests that wait for an answer, one durable record per request.

    .harness/teams/<team>/requests/
        .lock                   one writer at a time, across threads and processes (filelock)
        shutdown-1@alice.json   the lead asked alice to stop, the first time
        plan-2@bob.json         bob's second plan, sent to the lead for approval

A request is asked by one member and answered by another, by its id (`request_id`). Its status
moves once, and only forward:

    pending ──approve──> approved
            ──reject───> rejected     (with a reason, or the plan's feedback)
            ──deadline─> expired      (nobody answered in time)

Every change happens under the lock: read the record, check it is still pending, write it
(atomically, s02's `write_atomic`). So of two answers to one request the second is refused, and an
answer that comes after the deadline finds the request expired. Expiry needs no timer: whoever
reads a pending record past its deadline writes it as expired (`get`), with the injected clock.
Records are files, so they outlive the agents and processes that made them: a restart finds them.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock

from s02_tool_use.files import write_atomic
from s02_tool_use.tools import ToolError
from s15_agent_teams.mailbox import LOCK_TIMEOUT

PREFIX = {"shutdown": "shutdown", "plan_approval": "plan"}
"""A request's kind -> the first part of its id."""
REQUEST_ID = re.compile(r"(shutdown|plan)-([1-9][0-9]{0,8})@([a-z][a-z0-9_-]{0,31})")
"""`shutdown-1@alice`: the kind, the how-manieth of its kind for this teammate, the teammate. It
names a file, so nothing else is ever opened: no `..`, no slash."""


@dataclass
class Request:
    id: str
    kind: str
    """"shutdown" (the lead asks a teammate to stop) or "plan_approval" (a teammate asks the lead)."""
    sender: str
    """Who asked (`from` in the file)."""
    to: str
    """Who must answer; nobody else may."""
    created: float
    deadline: float
    """When a request still pending becomes expired (seconds since the epoch, as `created`)."""
    content: str = ""
    """What was asked: why the lead wants the teammate to stop, or the plan."""
    status: str = "pending"
    """pending, then approved, rejected or expired, once."""
    answer: str = ""
    """The answer's text: a refusal's reason, a plan's feedback."""
    answered: float | None = None
    permission_mode: str | None = None
    """An approved plan: the permission mode the teammate works in from then on."""

    def to_json(self) -> str:
        record = asdict(self)
        record["from"] = record.pop("sender")
        return json.dumps({"request_id": record.pop("id"), **record}, ensure_ascii=False, indent=1)

    @classmethod
    def parse(cls, text: str) -> Request:
        record = json.loads(text)
        return cls(id=record["request_id"], kind=record["kind"], sender=record["from"], to=record["to"],
                   created=record["created"], deadline=record["deadline"], content=record.get("content", ""),
                   status=record.get("status", "pending"), answer=record.get("answer", ""),
                   answered=record.get("answered"), permission_mode=record.get("permission_mode"))


class Requests:
    def __init__(self, team_folder: Path, clock=time.time):
        self.folder = Path(team_folder) / "requests"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = FileLock(self.folder / ".lock", timeout=LOCK_TIMEOUT)
        self.clock = clock  # seconds since the epoch: the records are read by other processes too

    # asking ----------------------------------------------------------------------------------

    def create(self, kind: str, sender: str, to: str, content: str, timeout: float) -> Request:
        """A new pending request, saved before anyone hears of it; its id counts the requests of
        its kind for its teammate (`plan-2@bob`: bob's second plan), so ids are never reused."""
        teammate = to if kind == "shutdown" else sender
        with self.lock:
            taken = [int(m.group(2)) for path in self.folder.glob(f"{PREFIX[kind]}-*@{teammate}.json")
                     if (m := REQUEST_ID.fullmatch(path.stem))]
            now = self.clock()
            request = Request(f"{PREFIX[kind]}-{max(taken, default=0) + 1}@{teammate}", kind, sender, to, now,
                              now + timeout, content)
            self.write(request)
        return request

    # answering -------------------------------------------------------------------------------

    def answer(self, request_id: str, responder: str, kind: str, approve: bool, text: str = "",
               permission_mode: str | None = None) -> Request:
        """Approve or reject a pending request; every other case is refused with a ToolError that
        says why (unknown id, another kind, addressed to someone else, answered or expired)."""
        with self.lock:
            request = self.get(request_id)
            if request is None:
                mine = [r.id for r in self.all() if r.to == responder and r.status == "pending"]
                raise ToolError(f"There is no request {request_id!r}. " + (
                    f"Requests waiting for your answer: {', '.join(mine)}." if mine else "None waits for your answer."))
            if request.kind != kind:
                raise ToolError(f"{request.id} is a {request.kind.replace('_', ' ')} request, not a "
                                f"{kind.replace('_', ' ')} one.")
            if request.to != responder:
                raise ToolError(f"{request.id} was sent to {request.to}, not to you: only {request.to} answers it.")
            if request.status != "pending":
                when = time.strftime("%H:%M:%S", time.localtime(request.answered or request.deadline))
                raise ToolError(f"{request.id} was {request.status} already (at {when}); an answer counts once.")
            request.status = "approved" if approve else "rejected"
            request.answer, request.answered = text, self.clock()
            request.permission_mode = permission_mode if approve else None
            self.write(request)
        return request

    # reading ---------------------------------------------------------------------------------

    def get(self, request_id: str) -> Request | None:
        """The request with this id, or None; a pending one past its deadline is written expired."""
        if not REQUEST_ID.fullmatch(request_id):
            return None
        try:
            request = Request.parse((self.folder / f"{request_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if request.status == "pending" and self.clock() >= request.deadline:
            with self.lock:  # subtle: read again under the lock, an answer may have come meanwhile
                request = Request.parse((self.folder / f"{request_id}.json").read_text(encoding="utf-8"))
                if request.status == "pending":
                    request.status, request.answered = "expired", request.deadline
                    self.write(request)
        return request

    def all(self) -> list[Request]:
        """Every request, oldest first (expired ones marked so)."""
        found = [r for path in self.folder.glob("*.json") if (r := self.get(path.stem)) is not None]
        return sorted(found, key=lambda r: (r.created, r.id))

    def write(self, request: Request) -> None:
        write_atomic(self.folder / f"{request.id}.json", request.to_json())
