"""The protocol's messages: what a model writes, and what travels in the mailboxes.

A model writes them with the tools, in Claude Code's shapes:

    SendMessage{to: "bob", message: {type: "shutdown_request", reason: "All tasks are done."}}
    SendMessage{to: "lead", message: {type: "shutdown_response", request_id: "shutdown-1@bob",
                                      approve: false, reason: "I am running the suite for #3."}}
    ExitPlanMode{plan: "1. ..."}                      (sends a plan_approval_request to the lead)
    SendMessage{to: "bob", message: {type: "plan_approval_response", request_id: "plan-1@bob",
                                     approve: false, feedback: "Test the odd case too."}}

In the mailbox each is one s15 letter whose `data` holds the type and the request_id, set by the
harness (a model's plain text can look like anything, but it never has `data`), and whose text is
the reason, the plan or the feedback. The model reads it as
`<teammate-message from="lead" type="shutdown_request" request_id="shutdown-1@bob">...`.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from s02_tool_use.tools import ToolError, describe_validation_error
from s15_agent_teams.team import Team

REQUEST = {"shutdown_request": "shutdown", "plan_approval_request": "plan_approval"}
"""The message types that ask, and the kind of request each makes."""
RESPONSE = {"shutdown_response": "shutdown", "plan_approval_response": "plan_approval"}
"""The message types that answer, and the kind of request each answers."""


class ProtocolMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["shutdown_request", "shutdown_response", "plan_approval_request", "plan_approval_response"]
    request_id: str | None = Field(None, description="A response: the request_id of the request it answers.")
    approve: bool | None = Field(None, description="A response: true to approve, false to refuse.")
    reason: str | None = Field(None, description="shutdown_request: why; shutdown_response refusing: why not.")
    feedback: str | None = Field(None, description="plan_approval_response rejecting: what the plan must change.")

    def answer_text(self) -> str:
        """A response's words: its reason or its feedback (whichever the model used)."""
        return (self.reason or self.feedback or "").strip()

    def check_response(self) -> None:
        """A response needs the request it answers and a yes or no; a no needs its reason."""
        missing = [name for name in ("request_id", "approve") if getattr(self, name) is None]
        if missing:
            raise ToolError(f"A {self.type} needs {' and '.join(missing)}: the request_id from the request "
                            "it answers, and approve true or false.")
        if self.approve is False and not self.answer_text():
            word = "feedback (what the plan must change)" if self.type == "plan_approval_response" else "a reason"
            raise ToolError(f"Refusing needs {word}: it is all the other side learns.")


class SendMessageInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(description='A member\'s name ("lead" is the team lead), or "*" for every other member '
                                "(plain text only).")
    message: str | ProtocolMessage = Field(description="The whole message as text; or a structured protocol "
                                                       "message (shutdown_request, shutdown_response, "
                                                       "plan_approval_response) for one member by name.")

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value):
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty or blank")
        return value


class ExitPlanModeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: str = Field(description="Your plan, complete: the files you will change and how, and how you will "
                                  "check the result. The lead reads only this.")

    @field_validator("plan")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty or blank")
        return value


def structured(message: str | ProtocolMessage) -> ProtocolMessage | None:
    """The protocol message in `message`, or None for plain text. subtle: a model often writes the
    object as JSON text; text that is a JSON object with a protocol `type` is read as that object."""
    if isinstance(message, ProtocolMessage):
        return message
    try:
        value = json.loads(message)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("type") not in (*REQUEST, *RESPONSE):
        return None
    try:
        return ProtocolMessage.model_validate(value)
    except ValidationError as error:
        raise ToolError(f"Invalid {value['type']}: {describe_validation_error(error)}") from None


def send(team: Team, sender: str, to: str, text: str, **data) -> None:
    """One structured letter: `send(team, "lead", "bob", "All done.", type="shutdown_request", request_id=...)`."""
    team.mailbox(to).send(sender, text, data)
