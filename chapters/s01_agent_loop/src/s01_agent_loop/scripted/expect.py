"""What a scripted reply expects of the request it answers.

A `model` or `fault` step may carry an `expect:` mapping. Before answering, the scripted model
checks it against the request, so a test fails when the agent sent the wrong thing: a missing
tool, a tool_result that never came back, a conversation that keeps growing.

    expect: {tools: [bash], tool_result_contains: "app.py", messages_at_most: 12}
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    """The request asks for this model (s11's fallback model)."""
    tools: list[str] | None = None
    """These tool names are offered (others may be offered too)."""
    tools_absent: list[str] | None = None
    """None of these tool names is offered (a subagent's request has no `Task`)."""
    system_contains: str | None = None
    """The system prompt contains this."""
    last_user_contains: str | None = None
    """The text of the last user message (text blocks and tool_result contents, joined) contains this."""
    first_user_contains: str | None = None
    """The text of the first message, a user message, contains this (where a compaction summary sits)."""
    tool_result_contains: str | None = None
    """Some tool_result in the last user message contains this."""
    tool_result_is_error: bool | None = None
    """The first tool_result in the last user message has this `is_error` (absent means false)."""
    messages_at_most: int | None = None
    """The request has at most this many messages."""

    def problems(self, body: dict) -> list[str]:
        """Every expectation the request `body` does not meet, as 'expected ..., saw ...'."""
        found = []
        if self.model is not None and body.get("model") != self.model:
            found.append(f"expected the model {self.model!r}, saw {body.get('model')!r}")
        offered = [tool.get("name") for tool in body.get("tools") or [] if isinstance(tool, dict)]
        if self.tools is not None and any(name not in offered for name in self.tools):
            found.append(f"expected the tools {self.tools} to be offered, saw {offered}")
        if self.tools_absent is not None and any(name in offered for name in self.tools_absent):
            found.append(f"expected the tools {self.tools_absent} not to be offered, saw {offered}")
        if self.system_contains is not None and self.system_contains not in system_text(body):
            found.append(_miss("the system prompt", self.system_contains, system_text(body)))
        n_messages = len(body.get("messages") or [])
        if self.messages_at_most is not None and n_messages > self.messages_at_most:
            found.append(f"expected at most {self.messages_at_most} messages, saw {n_messages}")
        first = (body.get("messages") or [{}])[0]
        first_text = text_of(first.get("content")) if isinstance(first, dict) else ""
        if self.first_user_contains is not None and self.first_user_contains not in first_text:
            found.append(_miss("the first message", self.first_user_contains, first_text))
        last = last_user(body)
        if self.last_user_contains is not None and self.last_user_contains not in text_of(last):
            found.append(_miss("the last user message", self.last_user_contains, text_of(last)))
        results = [block for block in last if block.get("type") == "tool_result"]
        wants_result = self.tool_result_contains is not None or self.tool_result_is_error is not None
        if wants_result and not results:
            found.append(f"expected a tool_result in the last user message, saw {_short(text_of(last))}")
            return found
        if self.tool_result_contains is not None:
            texts = [text_of(block.get("content")) for block in results]
            if not any(self.tool_result_contains in text for text in texts):
                found.append(_miss("a tool_result", self.tool_result_contains, " | ".join(texts)))
        if self.tool_result_is_error is not None:
            is_error = bool(results[0].get("is_error", False))
            if is_error != self.tool_result_is_error:
                found.append(f"expected the first tool_result to have is_error {self.tool_result_is_error}, "
                             f"saw {is_error}")
        return found


# ---------------------------------------------------------------------------------------------


def system_text(body: dict) -> str:
    """The system prompt as one string, whether it was sent as a string or as text blocks."""
    return text_of(body.get("system"))


def last_user(body: dict) -> list[dict]:
    """The content blocks of the last message if it is a user message, else []."""
    messages = body.get("messages") or []
    if not messages or not isinstance(messages[-1], dict) or messages[-1].get("role") != "user":
        return []
    content = messages[-1].get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content or [] if isinstance(block, dict)]


def text_of(content) -> str:
    """All the text in some content: a string, text blocks, and tool_results (recursively), joined."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        elif isinstance(block, dict) and block.get("type") == "tool_result":
            parts.append(text_of(block.get("content")))
    return "\n".join(parts)


def _miss(where: str, wanted: str, seen: str) -> str:
    return f"expected {where} to contain {wanted!r}, saw {_short(seen)}"


def _short(text: str, limit: int = 200) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
