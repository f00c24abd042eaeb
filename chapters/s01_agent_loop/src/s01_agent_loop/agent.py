"""Chapter 1: the smallest honest agent loop.

An agent is a loop around a model call. The model answers with text and, sometimes, requests to
use tools (`tool_use` blocks). We run each tool, send back one `tool_result` per request, and ask
again, until the model stops asking. Everything later chapters add plugs into this loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from .errors import TurnLimit
from .model import encodable
from .shell import BASH_TOOL, DEFAULT_TIMEOUT, run_bash

SYSTEM_PROMPT = """You are a coding agent working in the folder {workdir}.
Use the bash tool to look at files, change them and run commands. Work step by step, check your
results, and finish with a short answer that says what you did."""


class AgentConfig(BaseModel):
    model: str
    """The model id sent with every request, e.g. `claude-sonnet-5-5`."""
    max_tokens: int = 8192
    """The most tokens the model may write in one reply."""
    max_turns: int = 0
    """The most model calls in one `run`; 0 means no limit."""


class Model(Protocol):
    def query(self, request: dict, on_text=None) -> Any:
        """Send one Messages API request; return an `anthropic.types.Message`."""


class View:
    """What the user sees of a run. Every method does nothing here; the command line overrides them."""

    def model_start(self) -> None:
        """A request is about to be sent (show a spinner)."""

    def model_text(self, delta: str) -> None:
        """A piece of the model's text has streamed in."""

    def model_end(self, reply) -> None:
        """The model's reply is complete (None: the call failed or was interrupted)."""

    def tool_start(self, name: str, tool_input: dict) -> None:
        """A tool call has arrived (it may still be refused)."""

    def tool_running(self, name: str) -> None:
        """The call was allowed and the tool is running now (show that time passes)."""

    def tool_finished(self, name: str) -> None:
        """A call running beside others (s20) has finished; its result comes with `tool_end`, in
        call order. subtle: called from the tool's own thread."""

    def tool_end(self, name: str, output: str, is_error: bool) -> None:
        """A tool has returned."""

    def show(self, item) -> None:
        """What a capability or a tool draws for the user (a plan, a nested run): text or a rich renderable."""

    def notice(self, item) -> None:
        """A line about the run itself (a hook ran, the context was compacted): unlike `show`, not a
        tool's own output, so the tool's result is still previewed."""
        self.show(item)

    def stop(self) -> None:
        """The turn was interrupted: stop whatever is drawing (a spinner, streamed text)."""

    def nested(self) -> View:
        """The view for a run inside this one (a subagent)."""
        return View()


# ---------------------------------------------------------------------------------------------


class Agent:
    def __init__(self, model: Model, config: AgentConfig, workdir: Path, view: View | None = None):
        self.model = model
        self.config = config
        self.workdir = Path(workdir)
        self.view = view or View()
        self.messages: list[dict] = []  # the conversation, in Messages API form
        self.n_turns = 0  # model calls so far
        self.n_tool_calls = 0
        self.on_block = None
        """When set, the model hands it each content block as soon as the stream has finished it
        (s20 starts read-only tools then); left None, models need not know the keyword."""

    def run(self, prompt: str) -> str:
        """Work on `prompt` until the model stops asking for tools; return its final text.

        1. Add the prompt to the conversation as a user message.
        2. `step`: send the whole conversation, append the model's reply.
        3. If the reply asked for tools, run them and append their results; go back to 2.
        4. Otherwise the reply's text is the answer.
        Ctrl-C (KeyboardInterrupt) may stop it anywhere; the conversation stays valid.
        """
        self.add_user([{"type": "text", "text": encodable(prompt)}])
        turns_at_start = self.n_turns
        try:
            while True:
                if self.config.max_turns and self.n_turns - turns_at_start >= self.config.max_turns:
                    n = self.config.max_turns
                    raise TurnLimit(f"stopped after {n} model call{'s' * (n != 1)} without an answer")
                reply = self.step()
                if self.finished(reply):
                    return reply_text(reply)
        except KeyboardInterrupt:
            self.add_user([{"type": "text", "text": "[The user interrupted this turn.]"}])
            raise

    def step(self):
        """One round trip: ask the model, record its reply, answer its tool calls."""
        reply = self.query()
        self.messages.append({"role": "assistant", "content": encodable([block.to_dict() for block in reply.content])})
        calls = [block for block in reply.content if block.type == "tool_use"]
        if calls:
            self.answer(calls)
        return reply

    def finished(self, reply) -> bool:
        """The normal end of a run: the model no longer asks for tools."""
        return reply.stop_reason != "tool_use"

    def query(self):
        """Send the conversation to the model and return its reply."""
        self.view.model_start()
        reply = None
        try:
            reply = self.call_model(self.request())
            self.n_turns += 1
        finally:
            self.view.model_end(reply)  # None when the call failed or Ctrl-C stopped it
        return reply

    def call_model(self, request: dict):
        """One model call; its text streams to the view as it arrives."""
        if self.on_block is not None:
            return self.model.query(request, on_text=self.view.model_text, on_block=self.on_block)
        return self.model.query(request, on_text=self.view.model_text)

    def request(self) -> dict:
        """The keyword arguments of `client.messages.create` for the next call."""
        return {
            "model": self.config.model,
            "max_tokens": self.config.max_tokens,
            "system": SYSTEM_PROMPT.format(workdir=self.workdir),
            "messages": self.messages,
            "tools": [BASH_TOOL],
        }

    def answer(self, calls: list) -> None:
        """Run every tool call and send all the results back in one user message, in order."""
        results = []
        try:
            self.run_tools(calls, results)
        finally:
            # subtle: every tool_use must get exactly one tool_result, even when Ctrl-C stops the batch
            for call in calls[len(results) :]:
                results.append(tool_result(call.id, "[interrupted by the user; it did not finish]", True))
            self.add_user(results)

    def run_tools(self, calls: list, results: list[dict]) -> None:
        """Run the calls one after another, appending each `tool_result` to `results` as it comes
        (s20 runs read-only ones side by side; whatever is missing at a Ctrl-C, `answer` fills in)."""
        for call in calls:
            results.append(self.run_tool(call))

    def run_tool(self, call) -> dict:
        """Run one tool call and return its `tool_result` block."""
        self.n_tool_calls += 1
        self.view.tool_start(call.name, call.input)
        output, is_error = self.execute(call)
        self.view.tool_end(call.name, content_text(output), is_error)
        return tool_result(call.id, output, is_error)

    def execute(self, call) -> tuple[str, bool]:
        """What a tool call returns: its output, and whether that is an error. Here only `bash`."""
        command = call.input.get("command") if isinstance(call.input, dict) else None
        if call.name != "bash":
            return f"Unknown tool {call.name!r}; the only tool is bash.", True
        if not isinstance(command, str) or not command.strip():
            return "bash needs a non-empty string `command`.", True
        self.view.tool_running(call.name)
        return run_bash(command, self.workdir, call.input.get("timeout") or DEFAULT_TIMEOUT), False

    def close(self) -> None:
        """The session is over (the REPL quit, `-q` answered, a signal): stop whatever runs beside
        the conversation. Nothing does here; s02's harness tells its extensions (SessionEnd)."""

    def commands(self) -> dict:
        """Slash commands this agent offers beyond /help and /exit (the harness of s02 adds some)."""
        return {}

    def add_user(self, blocks: list[dict]) -> None:
        """Append user content; subtle: it joins a trailing user message, so roles keep alternating
        and tool_results stay first in their message."""
        if self.messages and self.messages[-1]["role"] == "user":
            self.messages[-1]["content"].extend(blocks)
        else:
            self.messages.append({"role": "user", "content": list(blocks)})


# ---------------------------------------------------------------------------------------------


def tool_result(tool_use_id: str, content: str | list[dict], is_error: bool = False) -> dict:
    """`content`: text, or a list of text and image blocks (a later chapter's tools may send images)."""
    block = {"type": "tool_result", "tool_use_id": tool_use_id, "content": encodable(content)}
    if is_error:
        block["is_error"] = True
    return block


def message_blocks(message: dict) -> list[dict]:
    """A message's content as a new list of blocks: a string content is one text block."""
    content = message.get("content")
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])


def content_text(content: str | list[dict]) -> str:
    """A tool_result's content as text for the user: the text blocks, `[image]` for each image."""
    if isinstance(content, str):
        return content
    return "\n".join(block.get("text", "") if block.get("type") == "text" else f"[{block.get('type')}]"
                     for block in content)


def reply_text(reply) -> str:
    """The text blocks of a reply, joined."""
    return "\n".join(block.text for block in reply.content if block.type == "text").strip()

