"""Plan approval: a teammate told to plan first may not change anything until the lead approves.

    lead                                          bob (spawned with plan_mode_required)
    SpawnTeammate{..., plan_mode_required} ─────> runs in permission mode "plan": s07's gate
                                                  refuses his edits and any command that changes
                                                  something, whatever he was told
    ✉ type="plan_approval_request" <───────────── ExitPlanMode{plan}: record plan-1@bob, pending
    SendMessage{type: plan_approval_response,
                approve: false, feedback} ──────> he stays in plan mode, reads the feedback, and
                                                  sends plan-2@bob
    SendMessage{..., approve: true} ────────────> his harness switches his mode on reading the
                                                  answer, before his model does (`on_letter`)

The gate does the enforcing, not the teammate's good manners: a plan-first teammate is an agent in
plan mode, and only the approved record lets its harness change that.
"""

from __future__ import annotations

from pydantic import Field
from rich.text import Text

from s02_tool_use.tools import ToolContext, ToolError
from s15_agent_teams.lead import SpawnTeammateInput, TeamLead
from s15_agent_teams.mailbox import Letter
from s15_agent_teams.member import TeamMember
from s15_agent_teams.team import LEAD

from .messages import ProtocolMessage, send
from .requests import Requests

TIMEOUT = 600.0
"""Seconds the lead has to answer a plan before the request expires."""


class SpawnInput(SpawnTeammateInput):
    plan_mode_required: bool = Field(False, description="Have it plan first: it works in plan mode (it reads, "
                                     "changes nothing) until you approve the plan it sends you.")


def spawn(lead: TeamLead, args: SpawnInput, ctx: ToolContext) -> str:
    """SpawnTeammate, with plan_mode_required: the teammate starts in plan mode."""
    said = lead.spawn_teammate(args, ctx, mode="plan" if args.plan_mode_required else None)
    if not args.plan_mode_required:
        return said
    return (f"{said} It plans first: it works in plan mode until you approve the plan it sends you as a "
            "plan_approval_request.")


def submit(agent, member: TeamMember, requests: Requests, plan: str, timeout: float) -> str:
    """ExitPlanMode, a teammate's: its plan to the lead, as a plan_approval_request."""
    if agent.config.permission_mode != "plan":
        raise ToolError("You are not in plan mode: no approval is needed, do the work.")
    waiting = [r.id for r in requests.all()
               if r.kind == "plan_approval" and r.sender == member.name and r.status == "pending"]
    if waiting:
        raise ToolError(f"Your plan {waiting[0]} still waits for the lead's answer: end your turn, the answer "
                        "wakes you.")
    request = requests.create("plan_approval", member.name, LEAD, plan, timeout)
    send(member.team, member.name, LEAD, plan, type="plan_approval_request", request_id=request.id)
    return (f"Your plan went to the lead as {request.id}. You stay in plan mode until it is approved. End your "
            "turn now: the answer wakes you.")


def answer(agent, member: TeamMember, requests: Requests, to: str, message: ProtocolMessage) -> str:
    """The lead's plan_approval_response. An approval grants the lead's own mode (not plan)."""
    if member.name != LEAD:
        raise ToolError("Only the lead approves or rejects plans.")
    message.check_response()
    request = requests.get(message.request_id)
    if request is not None and request.kind == "plan_approval" and to != request.sender:
        raise ToolError(f"{request.id} is {request.sender}'s plan: send the answer to {request.sender}.")
    mode = granted(agent.config.permission_mode)
    words = message.answer_text()
    request = requests.answer(message.request_id, LEAD, "plan_approval", message.approve, words, mode)
    send(member.team, LEAD, request.sender, words or "Approved: go ahead.", type="plan_approval_response",
         request_id=request.id, approve=message.approve, **({"permission_mode": mode} if message.approve else {}))
    if message.approve:
        return f"Approved {request.id}: {request.sender} leaves plan mode ({mode} from now) as it reads your answer."
    return f"Rejected {request.id}: {request.sender} stays in plan mode with your feedback and may send a new plan."


def on_letter(agent, member: TeamMember, requests: Requests, letter: Letter) -> Letter:
    """A teammate's handler (s15's `letter_handlers`): an approved plan switches its permission mode,
    before its model reads the answer. subtle: the letter only says which record to read; the mode
    comes from the record, which only the lead's answer writes, so a letter that merely claims an
    approval changes nothing."""
    data = letter.data or {}
    if data.get("type") != "plan_approval_response":
        return letter
    request = requests.get(str(data.get("request_id", "")))
    if request is None or request.kind != "plan_approval" or request.sender != member.name:
        return letter
    if request.status == "approved" and request.permission_mode:
        agent.config.permission_mode = request.permission_mode
        agent.view.notice(Text(f"✓ {request.id} approved: permission mode {request.permission_mode}", style="green"))
    elif request.status == "rejected":
        agent.view.notice(Text(f"✗ {request.id} rejected: still in plan mode", style="yellow"))
    return letter


def granted(mode: str) -> str:
    """The mode an approved plan grants: the lead's, or default when the lead is in plan mode itself."""
    return "default" if mode == "plan" else mode
