"""`TeamProtocols`: s16's capability, one `Extension` on every member of a team.

    tools           SendMessage (s15's, whose message may now be a protocol object: a shutdown
                    request or response, a plan's approval or rejection)
                    the lead: SpawnTeammate{..., plan_mode_required}; a teammate: ExitPlanMode{plan}
    letter handler  a teammate's: an approved plan switches its permission mode (plans.py)
    before_request  a request of this member's that expired unanswered is told to its model
    system_prompt   the "protocols" section: how to answer a request, and plan mode's rule
    commands        the lead: /requests, every request with its status

A request and its answer are two letters in s15's mailboxes and one record on disk (requests.py),
found by the same `request_id`: whatever answers, in whatever thread or process, finds the record.
"""

from __future__ import annotations

import time
from dataclasses import replace

from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Section
from s02_tool_use.tools import Tool, ToolContext, ToolError
from s15_agent_teams.lead import TeamLead
from s15_agent_teams.member import SendMessageInput as PlainMessage
from s15_agent_teams.member import TeamMember

from . import plans, shutdown
from .display import requests_table
from .messages import ExitPlanModeInput, SendMessageInput, structured
from .requests import Requests

LEAD_SECTION = """# Team protocols
A request has a request_id; its answer comes back as a message with the same request_id.
- To stop a teammate, SendMessage it {"type": "shutdown_request", "reason": "..."}. It finishes the
  tool call it is in, then approves (and stops) or refuses with a reason: ask again when it is ready.
- A teammate spawned with plan_mode_required works in plan mode and sends you its plan in a
  type="plan_approval_request" message. Answer it with SendMessage {"type": "plan_approval_response",
  "request_id": "...", "approve": true}, or "approve": false with "feedback" saying what to change.
A request nobody answers in time expires; /requests shows them all."""

TEAMMATE_SECTION = """# Team protocols
Some messages are requests with a request_id: answer each with SendMessage to its sender.
- type="shutdown_request": the lead asks you to stop. Answer {"type": "shutdown_response",
  "request_id": "...", "approve": true} and your session ends. In the middle of a task, refuse:
  "approve": false with a "reason" (what is left), finish it, and tell the lead.
- type="plan_approval_response": the lead's answer to your plan. Approved: your permission mode is
  switched for you, go ahead. Rejected: you stay in plan mode; revise the plan by the feedback."""

PLAN_MODE = """You are in plan mode: read and explore, but edits and commands that change anything are
refused until the lead approves your plan. When your plan is ready, call ExitPlanMode with it and
end your turn: the lead's answer wakes you."""


class TeamProtocols(Extension):
    def __init__(self, member: TeamMember, clock=time.time, timeouts: dict[str, float] | None = None):
        self.member = member  # s15's: the TeamLead, or a teammate's TeamMember
        self.clock = clock  # seconds since the epoch (records are shared with other processes)
        self.timeouts = {"shutdown": shutdown.TIMEOUT, "plan_approval": plans.TIMEOUT, **(timeouts or {})}
        self.store: Requests | None = None
        self.told: set[str] = set()  # this member's expired requests its model has heard of
        if not self.is_lead:
            member.letter_handlers.append(self.on_letter)

    @property
    def is_lead(self) -> bool:
        return isinstance(self.member, TeamLead)

    @property
    def requests(self) -> Requests:
        """The team's request records (the lead has none before TeamCreate)."""
        if self.member.team is None:
            raise ToolError("You are not in a team: create one with TeamCreate first.")
        if self.store is None:
            self.store = Requests(self.member.team.folder, self.clock)
        return self.store

    def tools(self) -> list[Tool]:
        """s15's SendMessage and SpawnTeammate with the protocol's inputs (same names: they replace them)."""
        s15 = {tool.name: tool for tool in self.member.tools()}
        send = replace(s15["SendMessage"], input_model=SendMessageInput, run=self.send_message,
                       description=s15["SendMessage"].description + " A shutdown request or response, or a "
                       "plan's approval, is a structured message to one member; answer a request by its request_id.")
        if self.is_lead:
            return [replace(s15["SpawnTeammate"], input_model=plans.SpawnInput,
                            run=lambda args, ctx: plans.spawn(self.member, args, ctx)), send]
        return [send, Tool("ExitPlanMode", "In plan mode: send your plan to the lead for approval. You stay in "
                           "plan mode until the lead approves it; then you may make changes.", ExitPlanModeInput,
                           self.exit_plan_mode, kind="internal")]

    def commands(self) -> dict[str, SlashCommand]:
        if not self.is_lead:
            return {}
        return {"requests": SlashCommand("the team's requests (shutdown, plan approval) and their status",
                                         self.show_requests)}

    # the tools ---------------------------------------------------------------------------------

    def send_message(self, args: SendMessageInput, ctx: ToolContext) -> str:
        message = structured(args.message)
        if message is None:  # plain text: s15's SendMessage
            return self.member.send_message(PlainMessage(to=args.to, message=args.message), ctx)
        if args.to == "*":
            raise ToolError(f'A {message.type} goes to one member by name, never to "*".')
        if message.type == "shutdown_request":
            return shutdown.ask(self.member, self.requests, args.to, message, self.timeouts["shutdown"])
        if message.type == "shutdown_response":
            return shutdown.answer(ctx.agent, self.member, self.requests, args.to, message)
        if message.type == "plan_approval_response":
            return plans.answer(ctx.agent, self.member, self.requests, args.to, message)
        raise ToolError("A plan_approval_request is sent by ExitPlanMode{plan}, from plan mode.")

    def exit_plan_mode(self, args: ExitPlanModeInput, ctx: ToolContext) -> str:
        return plans.submit(ctx.agent, self.member, self.requests, args.plan, self.timeouts["plan_approval"])

    def on_letter(self, agent, letter):
        return plans.on_letter(agent, self.member, self.requests, letter)

    # the loop ----------------------------------------------------------------------------------

    def before_request(self, agent) -> None:
        """A request of this member's that expired since the last request: its model hears of it
        (after the tool_results, s01's `add_user`)."""
        if self.member.team is None:
            return
        late = [r for r in self.requests.all()
                if r.sender == self.member.name and r.status == "expired" and r.id not in self.told]
        if not late:
            return
        self.told.update(r.id for r in late)
        said = "; ".join(f"{r.id} to {r.to} expired at {shutdown.clock(r.deadline)} with no answer" for r in late)
        agent.add_user([{"type": "text", "text": f"<system-reminder>{said}. Ask again if it still "
                                                 "matters.</system-reminder>"}])
        agent.view.notice(Text(f"⌛ {said}", style="yellow"))

    def system_prompt(self, agent) -> Section | None:
        if self.member.team is None:
            return None
        if self.is_lead:
            return Section("protocols", LEAD_SECTION, dynamic=True)
        plan = f"\n{PLAN_MODE}" if agent.config.permission_mode == "plan" else ""
        return Section("protocols", TEAMMATE_SECTION + plan, dynamic=True)

    def show_requests(self, agent, argument: str, console) -> None:
        if self.member.team is None:
            console.print("[dim]no team yet, so no requests[/]")
            return
        console.print(requests_table(self.member.team.name, self.requests.all(), console.width))
