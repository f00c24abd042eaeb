"""The scripted model in-process, for unit tests: no server, no sockets, same rules.

It has the model interface the agent loop uses, `query(request, on_text)`, and plays back real
`anthropic.types.Message` objects made by `text(...)` and `tool_use(...)`. An exception in the
script is raised instead. Every request is checked with `protocol.check_request` first.

    model = ScriptedModel([tool_use("bash", command="ls"), text("done")])
    Agent(model, config, tmp_path).run("list files")
    model.assert_done()
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterable

from anthropic.types import Message, TextBlock, ToolUseBlock, Usage

from .protocol import check_request
from .scenario import tool_id
from .usage import PromptCache, estimate_tokens

_call_numbers = itertools.count(1)


class ProtocolError(AssertionError):
    """The request would be rejected by the real API."""


class UnexpectedModelCall(AssertionError):
    """The code asked the model more often than the script allows."""


class UnconsumedSteps(AssertionError):
    """The script has replies that were never asked for."""


def text(s: str) -> Message:
    """A reply with one text block that ends the turn."""
    return message(TextBlock(type="text", text=s))


def tool_use(name: str, /, **input) -> Message:
    """A reply that calls one tool: `tool_use("bash", command="ls")`."""
    call = ToolUseBlock(type="tool_use", id=tool_id("fake", next(_call_numbers)), name=name, input=input)
    return message(call)


def message(*parts: Message | TextBlock | ToolUseBlock, stop_reason: str | None = None) -> Message:
    """One reply from several parts: `message(text("Two at once."), tool_use(...), tool_use(...))`."""
    blocks = [block for part in parts for block in (part.content if isinstance(part, Message) else [part])]
    if stop_reason is None:
        stop_reason = "tool_use" if any(block.type == "tool_use" for block in blocks) else "end_turn"
    return Message(id="msg_scripted", type="message", role="assistant", model="scripted", content=blocks,
                   stop_reason=stop_reason, stop_sequence=None, usage=Usage(input_tokens=0, output_tokens=0))


class ScriptedModel:
    def __init__(self, script: Iterable[Message | BaseException]):
        self.script = list(script)
        self.calls: list[dict] = []  # every request, as the JSON that would have been sent
        self.cache = PromptCache()
        self._played_ids: set[str] = set()

    def query(self, request: dict, on_text: Callable[[str], None] | None = None,
              on_block: Callable[[object], None] | None = None) -> Message:
        """Check `request` (the keyword arguments of `messages.create`), then play the next reply;
        `on_text` gets each text block, `on_block` each block, in order, as a stream would give them."""
        body = json.loads(json.dumps(request, default=_plain))
        self.calls.append(body)
        problems = check_request(body)
        if problems:
            raise ProtocolError(f"call #{len(self.calls)} breaks the protocol:\n  " + "\n  ".join(problems))
        if not self.script:
            raise UnexpectedModelCall(f"call #{len(self.calls)}: the script has no reply left")
        entry = self.script.pop(0)
        if isinstance(entry, BaseException):
            raise entry
        reply = copy.deepcopy(entry)
        reply.id, reply.model = f"msg_scripted_{len(self.calls):03d}", body["model"]
        output = sum(estimate_tokens(block.to_dict()) for block in reply.content)
        reply.usage = Usage(**self.cache.usage_for(body, output))
        for block in (b for b in reply.content if b.type == "tool_use"):
            if block.id in self._played_ids:  # subtle: `[tool_use(...)] * 3` plays one id three times
                block.id = tool_id("fake", next(_call_numbers))
            self._played_ids.add(block.id)
        for block in reply.content:
            if block.type == "text" and on_text:
                on_text(block.text)
            if on_block:
                on_block(block)
        return reply

    def assert_done(self) -> None:
        if self.script:
            raise UnconsumedSteps(f"{plural(len(self.script), 'scripted reply was', 'scripted replies were')} never asked for: {self.script!r}")


def _plain(obj):
    """JSON for SDK and pydantic objects in a request, the way the SDK would send them."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict(mode="json")
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 scripted reply`, `2 scripted replies`."""
    return f"{n} {one if n == 1 else many or one + 's'}"
