"""The real model, through the official `anthropic` SDK, streaming.

subtle: `import anthropic` costs seconds, so it happens inside `client`, on first use; the command
line starts that import in a background thread while the user is still typing.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cli.settings import Settings

MAX_BREAKPOINTS = 4
"""The most `cache_control` markers one request may carry; the API refuses a fifth."""


class AnthropicModel:
    def __init__(self, settings: Settings, max_retries: int = 2):
        self.settings = settings
        self.max_retries = max_retries

    @cached_property
    def client(self):
        import anthropic

        return anthropic.Anthropic(
            api_key=self.settings.api_key,
            auth_token=None if self.settings.api_key else self.settings.auth_token,
            base_url=self.settings.base_url,
            max_retries=self.max_retries,
        )

    def query(self, request: dict, on_text=None, on_block=None):
        """Stream one reply, passing text to `on_text` as it arrives, and each content block to
        `on_block` as soon as the stream has finished it (s20 starts read-only tools early); return
        the whole `Message`.
        subtle: a stream a proxy closes cleanly mid-reply ends without `message_stop`, and the SDK
        returns what it got as if it were whole; that is an `IncompleteReply`, not an answer."""
        with self.open_stream(request) as stream:
            complete = False
            for event in readable(stream):
                if event.type == "text" and on_text:
                    on_text(event.text)
                elif event.type == "content_block_stop" and on_block:
                    on_block(event.content_block)
                complete = complete or event.type == "message_stop"
            if not complete:
                raise IncompleteReply("the reply stream ended before its message_stop event: the connection "
                                      "was closed mid-reply (a proxy or load balancer?)")
            return stream.get_final_message()

    def open_stream(self, request: dict):
        """Send `request` and return the SDK's stream of the reply.
        subtle: a string that is not valid Unicode (a lone surrogate: a file name or a path read
        with `surrogateescape`) makes the SDK's UTF-8 encoding fail before anything is sent; then a
        copy goes, each such character replaced by U+FFFD. The usual request pays nothing for it."""
        try:
            return self.client.messages.stream(**request).__enter__()
        except UnicodeEncodeError:
            return self.client.messages.stream(**encodable(request)).__enter__()


class IncompleteReply(Exception):
    """The stream ended without `message_stop`: what arrived is only part of the reply."""


class UnreadableReply(IncompleteReply):
    """The reply arrived but cannot be read whole: the SDK could not parse it (a tool call's input
    that is not valid JSON, e.g. an escaped lone surrogate). Like an incomplete one, it is no answer."""


def readable(stream):
    """The stream's events. subtle: the SDK raises a bare `ValueError` when a tool call's streamed
    input is JSON it cannot parse; it becomes an `UnreadableReply` here, so it is told apart by its
    type (s01 reports it in one line, s11 retries it) and never taken for a bug of ours."""
    try:
        yield from stream
    except ValueError as error:
        detail = " ".join(str(error).split())
        detail = detail if len(detail) <= 300 else detail[:300] + "..."
        raise UnreadableReply(f"the reply could not be read: {detail}") from error


def encodable(value):
    """A copy of a request with every string valid Unicode: a lone surrogate becomes U+FFFD, a
    surrogate pair the character it stands for.

    e.g. {"text": "caf\\udce9"} -> {"text": "caf\\ufffd"}
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # the common case: nothing to mend, nothing copied
            return value
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {encodable(key): encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(item) for item in value]
    return value


def count_breakpoints(request: dict) -> int:
    """How many `cache_control` markers a request carries (a top-level one counts too)."""
    blocks = list(request.get("tools") or [])
    if isinstance(request.get("system"), list):
        blocks += request["system"]
    for message in request.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            blocks.append(block)
            if isinstance(block, dict) and block.get("type") == "tool_result" and isinstance(block.get("content"), list):
                blocks += block["content"]
    marked = [b for b in blocks if isinstance(b, dict) and b.get("cache_control")]
    return len(marked) + (1 if request.get("cache_control") else 0)
