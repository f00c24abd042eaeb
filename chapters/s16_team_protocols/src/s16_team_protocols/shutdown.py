"""The shutdown protocol: the lead asks a teammate to stop; the teammate approves, or refuses with
a reason.

    lead                                        alice
    SendMessage{type: shutdown_request} ──────> record shutdown-1@alice: pending
                                                delivered before alice's next model request: the
                                                tool call she is in finishes first (s15's mail)
    ✉ approve="true" (or "false" + a reason) <── SendMessage{type: shutdown_response, ...}
                                                approved: her run ends before its next request;
                                                s15's loop marks her stopped, `/team` shows it

s15's `close` stops every teammate at the end of the session whatever they are doing; this is the
polite way, during it: the teammate decides when, and may say why not yet.
"""

from __future__ import annotations

import time

from rich.text import Text

from s02_tool_use.tools import ToolError
from s15_agent_teams.member import TeamMember
from s15_agent_teams.team import LEAD

from .messages import ProtocolMessage, send
from .requests import Requests

TIMEOUT = 300.0
"""Seconds a teammate has to answer a shutdown request before it expires."""


def ask(member: TeamMember, requests: Requests, to: str, message: ProtocolMessage, timeout: float) -> str:
    """The lead's shutdown_request to teammate `to`."""
    team = member.team
    if member.name != LEAD:
        raise ToolError("Only the lead asks a teammate to shut down; if you think someone should stop, tell the lead.")
    teammates = [m.name for m in team.members() if m.name != LEAD]
    if to not in teammates:
        why = "that is you" if to == LEAD else "no teammate has that name"
        raise ToolError(f"Cannot ask {to!r} to shut down: {why}. Teammates: {', '.join(teammates) or 'none'}.")
    if team.state(to).get("status") == "stopped":
        raise ToolError(f"{to} is stopped already: there is nobody to ask.")
    if waiting := [r for r in requests.all() if r.kind == "shutdown" and r.to == to and r.status == "pending"]:
        raise ToolError(f"{waiting[0].id} still waits for {to}'s answer (until {clock(waiting[0].deadline)}); "
                        "the answer reaches you as a message.")
    reason = (message.reason or "").strip()
    # 1. the record first: an answer can only find a request that exists
    request = requests.create("shutdown", LEAD, to, reason, timeout)
    # 2. then the letter, which carries the request's id
    send(team, LEAD, to, reason or "Please shut down.", type="shutdown_request", request_id=request.id)
    return (f"Asked {to} to shut down: {request.id}, pending until {clock(request.deadline)}. {to} finishes the "
            "tool call it is in, then approves (and stops) or refuses with a reason; the answer reaches you as a "
            "message.")


def answer(agent, member: TeamMember, requests: Requests, to: str, message: ProtocolMessage) -> str:
    """A teammate's shutdown_response to the request `message.request_id`."""
    message.check_response()
    request = requests.get(message.request_id)
    if request is not None and request.kind == "shutdown" and to != request.sender:
        raise ToolError(f"{request.id} came from {request.sender}: send your answer to {request.sender}.")
    # 1. the record: refused unless the request is pending and addressed to this member
    words = message.answer_text()
    request = requests.answer(message.request_id, member.name, "shutdown", message.approve, words)
    # 2. the one who asked hears the answer, by the same request_id
    send(member.team, member.name, request.sender, words or "Shutting down.", type="shutdown_response",
         request_id=request.id, approve=message.approve)
    if not message.approve:
        return f"You refused {request.id}; {request.sender} has your reason. Go on with your work."
    # 3. approved: the run ends before its next request, after the rest of this reply's tool calls
    member.stopping.set()
    agent.view.notice(Text(f"■ shutting down: approved {request.id}", style="bold"))
    return f"You approved {request.id}: your session ends when this reply's tool calls are done."


def clock(seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds))
