"""Scenarios: the script the fake Claude plays, kept as data a learner can read and write.

A scenario is a YAML file with a title, an optional intro and a list of steps. Each step is one
of these kinds:

    title: "s01: the agent loop"
    steps:
      - user: "How long is app.py?"              # a prompt the demo runner types
      - idle: 5                                  # the user types nothing for up to 5 s (s14)
      - model:                                   # one reply of the model
          text: "Let me count."
          tool_use: [{name: bash, input: {command: "wc -l app.py"}}]
          expect: {tool_result_contains: "app.py"}   # checks on the request it answers
      - fault: {status: 529, retry_after: 0}     # this request fails like the real API can
      - fault: {drop: true, delay: 0.5}          # no answer at all: a timeout, or a lost connection
      - model: {text: "app.py has 12 lines."}
      - model: {agent: alice, text: "On it."}   # a reply to the agent named alice (s15's teammates)

A step with `agent:` answers only requests from that agent: the server keeps one queue per agent,
in script order (see `server.agent_of`); a step without one answers the lead, the agent the user
talks to. Tests can build the replies in code instead: `[call("bash", command="ls"), say("done")]`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .expect import Expect

StopReason = Literal["end_turn", "tool_use", "max_tokens", "stop_sequence", "pause_turn", "refusal"]

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def tool_id(*position: object) -> str:
    """A tool_use id that is the same on every run: `toolu_` and a hash of where the call sits."""
    return "toolu_" + hashlib.sha256(".".join(map(str, position)).encode()).hexdigest()[:24]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCall(_Strict):
    name: str
    input: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None
    """Left out, it is made from the call's position in the script."""


class UserStep(_Strict):
    kind: Literal["user"] = "user"
    user: str


class IdleStep(_Strict):
    """The demo's user types nothing for up to `idle` seconds; a prompt that arrives on its own
    meanwhile (s14's scheduled prompt) runs, and ends the wait."""

    kind: Literal["idle"] = "idle"
    idle: float = Field(gt=0, le=120)


class ModelStep(_Strict):
    """One assistant reply: an optional text block first, then tool_use blocks."""

    kind: Literal["model"] = "model"
    text: str | None = None
    tool_use: list[ToolCall] = Field(default_factory=list)
    stop_reason: StopReason | None = None
    """Defaults to `tool_use` when the reply calls tools, else `end_turn`."""
    expect: Expect | None = None
    delay: float = 0
    """Seconds to wait before answering (so a demo shows its spinner)."""
    block_delay: float = 0
    """Streamed, seconds to wait after each finished content block (a slow stream: s20 shows a
    tool call starting before the reply ends)."""
    agent: str | None = None
    """The agent this reply answers (a teammate's name); None: the lead."""

    @model_validator(mode="after")
    def _has_content(self):
        if self.text is not None and not self.text.strip():
            raise ValueError("`text` must contain non-whitespace text (the API rejects empty text blocks)")
        if self.text is None and not self.tool_use:
            raise ValueError("a model step needs `text`, `tool_use`, or both")
        return self

    @property
    def stop(self) -> str:
        return self.stop_reason or ("tool_use" if self.tool_use else "end_turn")

    def content(self, step_no: int) -> list[dict]:
        """The reply's content blocks, as the API would send them."""
        blocks: list[dict] = [{"type": "text", "text": self.text}] if self.text else []
        for j, call in enumerate(self.tool_use):
            blocks.append({"type": "tool_use", "id": call.id or tool_id(step_no, j),
                           "name": call.name, "input": call.input})
        return blocks

    def describe(self) -> str:
        who = f"{self.agent}: " if self.agent else ""
        if self.tool_use:
            return who + "tool_use " + ", ".join(call.name for call in self.tool_use)
        return who + "text " + repr(self.text if len(self.text) < 40 else self.text[:37] + "...")


class Fault(_Strict):
    """One request that fails: an HTTP error, a cut stream, an `error` event mid-stream, or a
    connection closed with no answer at all (`drop`; after a `delay` longer than the client's
    timeout, the client sees a timeout instead)."""

    kind: Literal["fault"] = "fault"
    status: int | None = None
    retry_after: float | None = None
    """Sent as the `retry-after` header (seconds). subtle: the SDK ignores a 0 and backs off ~0.5 s;
    0.01 makes it retry at once."""
    message: str | None = None
    prompt_too_long: bool = False
    maximum: int = 200_000
    """With `prompt_too_long`: the window the error names (`N tokens > maximum`)."""
    cut_stream: bool = False
    end_early: bool = False
    """End the stream cleanly after its first delta, without `message_stop` (a proxy closing it)."""
    error_event: str | None = None
    """An error type, e.g. `overloaded_error`, sent as an SSE `event: error`."""
    drop: bool = False
    """Close the connection without sending a response (the SDK raises `APIConnectionError`)."""
    expect: Expect | None = None
    delay: float = 0
    """Seconds to wait before failing (with `drop`, a client timeout shorter than this fires first)."""
    agent: str | None = None
    """The agent whose request fails (a teammate's name); None: the lead."""

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [self.status is not None, self.prompt_too_long, self.cut_stream, self.error_event is not None,
                 self.drop, self.end_early]
        if sum(kinds) != 1:
            raise ValueError("a fault is exactly one of `status`, `prompt_too_long`, `cut_stream`, `error_event`, "
                             "`drop`, `end_early`")
        if self.status is not None and self.status not in ERROR_TYPES:
            raise ValueError(f"status {self.status} is not one of {sorted(ERROR_TYPES)}")
        if self.error_event is not None and self.error_event not in ERROR_TYPES.values():
            raise ValueError(f"error_event {self.error_event!r} is not one of {sorted(ERROR_TYPES.values())}")
        if self.retry_after is not None and self.status is None:
            raise ValueError("`retry_after` goes with `status`")
        return self

    @property
    def error_type(self) -> str:
        if self.error_event:
            return self.error_event
        return ERROR_TYPES[400 if self.status is None else self.status]

    def describe(self) -> str:
        who = f"{self.agent}: " if self.agent else ""
        if self.status is not None:
            return f"{who}fault {self.status}"
        return who + "fault " + ("prompt_too_long" if self.prompt_too_long else "cut_stream" if self.cut_stream
                           else "drop" if self.drop else "end_early" if self.end_early
                           else f"error_event {self.error_event}")


Step = Annotated[UserStep | IdleStep | ModelStep | Fault, Field(discriminator="kind")]
Reply = ModelStep | Fault


class Scenario(_Strict):
    title: str
    intro: str | None = None
    steps: list[Step]

    @field_validator("steps", mode="before")
    @classmethod
    def _tag(cls, steps):
        return [_tagged(i, raw) for i, raw in enumerate(steps)] if isinstance(steps, list) else steps

    @property
    def prompts(self) -> list[str | IdleStep]:
        """The user prompts, in order (the demo runner types them), and the idle waits between them."""
        return [s.user if isinstance(s, UserStep) else s for s in self.steps if isinstance(s, UserStep | IdleStep)]

    @property
    def replies(self) -> list[Reply]:
        """The model and fault steps, in order (the scripted model plays them)."""
        return [s for s in self.steps if isinstance(s, ModelStep | Fault)]


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; a malformed one raises ValueError naming the file and the problem."""
    path = Path(path)
    try:
        return Scenario.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML: {err}") from None
    except ValidationError as err:
        problems = [f"{'.'.join(map(str, e['loc'])) or 'scenario'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in err.errors()]
        raise ValueError(f"{path}: " + "; ".join(problems)) from None


def _tagged(i: int, raw):
    """`{model: {...}}` in the file becomes `{kind: model, ...}` for pydantic."""
    if isinstance(raw, BaseModel):
        return raw
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("user", "idle", "model", "fault"):
        raise ValueError(f"step {i} must be one of `user:`, `idle:`, `model:` or `fault:`, got {raw!r}")
    kind, value = next(iter(raw.items()))
    if kind in ("user", "idle"):
        return {"kind": kind, kind: value}
    if not isinstance(value, dict):
        raise ValueError(f"step {i}: `{kind}:` holds a mapping, got {value!r}")
    return {"kind": kind, **value}


# --- building replies in code ----------------------------------------------------------------


def say(text: str, **options) -> ModelStep:
    """A reply with one text block, e.g. `say("done", expect={"tool_result_contains": "ok"})`."""
    return ModelStep(text=text, **options)


def call(name: str, /, **input) -> ModelStep:
    """A reply with one tool_use block: `call("bash", command="ls")`."""
    return ModelStep(tool_use=[ToolCall(name=name, input=input)])


def step(text: str | None = None, tool_use=(), *, stop_reason: StopReason | None = None,
         expect: Expect | dict | None = None, delay: float = 0, agent: str | None = None) -> ModelStep:
    """Any reply: `step("Two at once.", [{"name": "bash", "input": {...}}, ...], expect={...})`;
    `agent="alice"`: a reply to the agent named alice."""
    return ModelStep(text=text, tool_use=list(tool_use), stop_reason=stop_reason, expect=expect, delay=delay,
                     agent=agent)
