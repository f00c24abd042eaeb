"""`TeamMember`: what every agent of a team has, the lead included, as one `Extension`.

    tools           SendMessage{to, message}: to a member by name, or "*" for everyone else
    before_request  the mail that arrived since the last request, as text after the tool_results
                    (each letter first passed to the `letter_handlers`, where later chapters act on theirs)
    system_prompt   the "team" section: who you are, your role, your team, your teammates
    wrap_model_call tokens counted from each reply's usage; a teammate's requests say who sent them

The `from` of a letter is this extension's `name`, fixed when the agent is built: the model writes
only `to` and `message`, so a teammate cannot send mail in another's name.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from html import escape

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rich.text import Text

from s01_agent_loop.errors import AgentStop
from s02_tool_use.extension import Extension, Section
from s02_tool_use.tools import Tool, ToolContext, ToolError
from s13_background_tasks.display import one_line

from .mailbox import Letter, Mailbox
from .team import LEAD, Team

TEAMMATE_SECTION = """# Your team
You are {name}, a teammate in the team "{team}"{about}. Your role: {role}.
The lead ("lead") started you; {others}.
Nobody sees your replies or your tool output: tell the lead or a teammate what they need with
SendMessage (to: a name, or "*" for everyone). Messages to you arrive as <teammate-message> blocks.
The task board (TaskList, TaskGet, TaskUpdate) is the team's: set yourself as owner of the task you
take, mark it in_progress, and completed when it is done. When you have nothing left to do, end
your turn: you wait, and the next message wakes you."""

LEAD_SECTION = """# Your team
You lead the team "{team}"{about}; {others}. Teammates work in parallel, each with its own
context: give each a task on the board (owner: its name) and a complete first prompt. They report
with SendMessage; their messages arrive as <teammate-message> blocks, also while the user is away.
Your replies are seen by the user, not by teammates: use SendMessage to reach them."""


class TeamStopped(AgentStop):
    """The team is shutting down: a teammate's run ends before its next request."""


class SendMessageInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(description='A member\'s name ("lead" is the team lead), or "*" for every other member.')
    message: str = Field(description="The whole message: the reader sees nothing of your context but this.")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty or blank")
        return value


class TeamMember(Extension):
    def __init__(self, name: str, team: Team | None = None, role: str = ""):
        self.name = name
        """Who this agent is in its team: the `from` of everything it sends."""
        self.team = team  # None: not in a team yet (the lead, before TeamCreate)
        self.role = role
        self.tokens = 0  # input and output tokens of every reply so far
        self.status = "idle"  # working, idle or stopped
        self.stopping = threading.Event()  # set when the team shuts down
        self.letter_handlers: list[Callable[[object, Letter], Letter | None]] = []
        """`handler(agent, letter)`, called on every letter as it is received, before the model reads
        it (s16's protocols act on theirs here): it returns the letter to deliver, or None to keep it
        from the model. A handler that raises delivers the letter unchanged: nothing is lost."""
        self.idle_handlers: list[Callable[[object], str | None]] = []
        """`handler(agent)`, asked in order by a teammate's loop when it has no mail, before it waits
        (s17 claims a task from the board here): a prompt to run next, or None. A handler that
        raises `TeamStopped` ends the teammate's loop: it is stopped."""

    @property
    def mailbox(self) -> Mailbox | None:
        return self.team.mailbox(self.name) if self.team else None

    def tools(self) -> list[Tool]:
        return [Tool("SendMessage", "Send a message to a member of your team (or to all of them with \"*\"). "
                     "It is delivered before the recipient's next model request, or wakes it if it is idle.",
                     SendMessageInput, self.send_message, kind="internal")]

    def send_message(self, args: SendMessageInput, ctx: ToolContext) -> str:
        if self.team is None:
            raise ToolError("You are not in a team: create one with TeamCreate first.")
        names = [m.name for m in self.team.members()]
        others = [name for name in names if name != self.name]
        if args.to == "*":
            recipients = others
        elif args.to in others:
            recipients = [args.to]
        else:
            why = "that is you" if args.to == self.name else "no member has that name"
            raise ToolError(f"Cannot send to {args.to!r}: {why}. The members: {', '.join(others) or 'none yet'}; "
                            "\"*\" sends to all of them.")
        for name in recipients:
            self.team.mailbox(name).send(self.name, args.message)
        stopped = [n for n in recipients if n != LEAD and self.team.state(n).get("status") == "stopped"]
        note = f" ({', '.join(stopped)} stopped: it waits in the mailbox)" if stopped else ""
        return f"Sent to {', '.join(recipients) or 'nobody (no other member yet)'}.{note}"

    # the loop ----------------------------------------------------------------------------------

    def before_request(self, agent) -> None:
        """Mail that arrived since the last request joins the conversation now: after the tool_results,
        so no tool pair is split (s01's `add_user`)."""
        if self.stopping.is_set():
            raise TeamStopped("the team is shutting down")
        if self.team is not None and (letters := self.receive(agent)):
            self.deliver(agent, letters)

    def receive(self, agent) -> list[Letter]:
        """The letters that arrived, each passed through the `letter_handlers` in order."""
        letters = self.mailbox.receive()
        for handle in self.letter_handlers:
            letters = [kept for letter in letters if (kept := handled(handle, agent, letter)) is not None]
        return letters

    def deliver(self, agent, letters: list[Letter]) -> None:
        agent.add_user([{"type": "text", "text": as_prompt(letters)}])
        announce(agent.view, letters)

    def system_prompt(self, agent) -> Section | None:
        if self.team is None:
            return None
        members = self.team.members()
        about = f" ({self.team.description})" if self.team.description else ""
        mates = [f"{m.name} ({m.role})" for m in members if m.name not in (self.name, LEAD)]
        if self.name == LEAD:
            others = f"your teammates: {', '.join(mates)}" if mates else "no teammates yet: SpawnTeammate adds one"
            return Section("team", LEAD_SECTION.format(team=self.team.name, about=about, others=others), dynamic=True)
        others = f"your teammates: {', '.join(mates)}" if mates else "you have no other teammates"
        return Section("team", TEAMMATE_SECTION.format(name=self.name, team=self.team.name, about=about,
                                                       role=self.role or "teammate", others=others), dynamic=True)

    def wrap_model_call(self, agent, request: dict, call_next):
        if self.name != LEAD:
            # the Messages API's own field for who a request is for; the scripted model serves each
            # teammate its own replies by it (s01 scripted/server.py `agent_of`)
            request = {**request, "metadata": {"user_id": self.name}}
        reply = call_next(request)
        usage = getattr(reply, "usage", None)
        self.tokens += sum(getattr(usage, field, 0) or 0 for field in (
            "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"))
        self.save()
        return reply

    # the member's state file -------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        self.status = status
        self.save()

    def save(self) -> None:
        if self.team is not None and self.name != LEAD:
            self.team.write_state(self.name, {"role": self.role, "status": self.status, "tokens": self.tokens,
                                              "pid": os.getpid()})


# ---------------------------------------------------------------------------------------------


def handled(handle, agent, letter: Letter) -> Letter | None:
    try:
        return handle(agent, letter)
    except Exception as error:  # a handler's bug must not lose the letter
        agent.view.notice(Text(f"warning: a letter handler failed: {type(error).__name__}: {error}", style="yellow"))
        return letter


def as_prompt(letters: list[Letter]) -> str:
    """Letters as the model reads them, e.g.
    <teammate-message from="alice" sent="14:02:11">The fix is in.</teammate-message>
    A structured letter's fields are attributes of its tag (s16):
    <teammate-message from="lead" sent="14:03:40" type="shutdown_request" request_id="shutdown-1@bob">"""
    return "\n".join(f'<teammate-message from="{escape(letter.sender)}" sent="{time.strftime("%H:%M:%S", time.localtime(letter.time))}"'
                     f'{attributes(letter.data)}>\n{letter.text}\n</teammate-message>' for letter in letters)


def attributes(data: dict | None) -> str:
    """` type="shutdown_request" approve="true"`: each field as an attribute, JSON values unquoted."""
    values = {key: value if isinstance(value, str) else json.dumps(value) for key, value in (data or {}).items()}
    return "".join(f' {key}="{escape(value)}"' for key, value in values.items())


def announce(view, letters: list[Letter]) -> None:
    """A line for the user per letter an agent reads: `✉ from alice: The fix is in.`, or for a
    structured one `✉ from lead, shutdown_request: All tasks are done.`"""
    for letter in letters:
        kind = f", {letter.data['type']}" if letter.data and "type" in letter.data else ""
        view.notice(Text.assemble(("✉ ", "magenta"), (f"from {letter.sender}{kind}: ", "bold magenta"),
                                  one_line(letter.text)))
