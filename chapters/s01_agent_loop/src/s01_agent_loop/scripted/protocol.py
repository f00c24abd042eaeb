"""The rules a Messages API request must follow, checked the way the API checks them.

`check_request(body)` returns every problem it finds, as readable strings that name the place,
e.g. `messages.3.content.0: ...`; an empty list means the request is valid. The scripted model
runs it on every request, so a harness bug (a lost tool_result, an empty text block) fails the
test that caused it instead of the first run against the real API.
"""

from __future__ import annotations

import re

from ..model import MAX_BREAKPOINTS, count_breakpoints

TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
BLOCK_TYPES = ("text", "tool_use", "tool_result", "image", "thinking", "redacted_thinking", "document")
ASSISTANT_ONLY = ("tool_use", "thinking", "redacted_thinking")
__all__ = ["MAX_BREAKPOINTS", "check_request", "count_breakpoints"]


def check_request(body: dict) -> list[str]:
    """Every problem in a request body (the JSON sent to `POST /v1/messages`)."""
    if not isinstance(body, dict):
        return ["the request body must be a JSON object"]
    problems = []
    if not isinstance(body.get("model"), str) or not body["model"]:
        problems.append(f"model: must be a non-empty string, got {body.get('model')!r}")
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        problems.append(f"max_tokens: must be a positive integer, got {max_tokens!r}")
    problems += _check_tools(body.get("tools"))
    problems += _check_system(body.get("system"))
    problems += _check_messages(body.get("messages"))
    n_breakpoints = count_breakpoints(body)
    if n_breakpoints > MAX_BREAKPOINTS:
        problems.append(f"found {n_breakpoints} blocks with cache_control; at most {MAX_BREAKPOINTS} are allowed")
    return problems


def _check_tools(tools) -> list[str]:
    if tools is None:
        return []
    if not isinstance(tools, list):
        return ["tools: must be a list"]
    problems, names = [], set()
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            problems.append(f"tools.{i}: must be an object")
            continue
        name = tool.get("name")
        if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
            problems.append(f"tools.{i}.name: {name!r} does not match ^[a-zA-Z0-9_-]{{1,64}}$")
        elif name in names:
            problems.append(f"tools.{i}.name: tool names must be unique, {name!r} appears twice")
        names.add(name)
        if tool.get("type") not in (None, "custom"):
            continue  # subtle: server tools (web_search_...) have a type and no input_schema
        schema = tool.get("input_schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            problems.append(f'tools.{i}.input_schema: must be a JSON schema with "type": "object"')
    return problems


def _check_system(system) -> list[str]:
    if system is None or isinstance(system, str):
        return []
    if not isinstance(system, list):
        return ["system: must be a string or a list of text blocks"]
    problems = []
    for i, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            problems.append(f"system.{i}: must be a text block")
        else:
            problems += _check_text(f"system.{i}", block)
    return problems


def _check_messages(messages) -> list[str]:
    if not isinstance(messages, list) or not messages:
        return ["messages: must be a non-empty list"]
    problems = []
    for i, message in enumerate(messages):
        problems += _check_message(f"messages.{i}", message)
    roles = [message.get("role") if isinstance(message, dict) else None for message in messages]
    if roles[0] != "user":
        problems.append(f"messages.0: the first message must have role user, not {roles[0]!r}")
    if roles[-1] == "assistant":
        problems.append(f"messages.{len(roles) - 1}: the request ends on an assistant message; "
                        "the last message must be from the user")
    return problems + _check_pairing(messages)


def _check_message(where: str, message) -> list[str]:
    if not isinstance(message, dict):
        return [f"{where}: must be an object with role and content"]
    role, content = message.get("role"), message.get("content")
    problems = [] if role in ("user", "assistant") else [f"{where}.role: must be user or assistant, got {role!r}"]
    if isinstance(content, str):
        return problems + ([] if content else [f"{where}.content: must not be an empty string"])
    if not isinstance(content, list) or not content:
        return problems + [f"{where}.content: must be a non-empty string or a non-empty list of blocks"]
    for j, block in enumerate(content):
        problems += _check_block(f"{where}.content.{j}", block, role)
    return problems


def _check_block(where: str, block, role) -> list[str]:
    if not isinstance(block, dict):
        return [f"{where}: must be an object"]
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        return [f"{where}.type: unknown block type {kind!r} (expected one of {', '.join(BLOCK_TYPES)})"]
    if kind in ASSISTANT_ONLY and role != "assistant":
        return [f"{where}: {kind} blocks may only appear in assistant messages"]
    if kind == "tool_result" and role != "user":
        return [f"{where}: tool_result blocks may only appear in user messages"]
    if kind == "text":
        return _check_text(where, block)
    if kind == "tool_use":
        ok = isinstance(block.get("id"), str) and isinstance(block.get("name"), str)
        ok = ok and isinstance(block.get("input"), dict)
        return [] if ok else [f"{where}: a tool_use needs a string id, a string name and an object input"]
    if kind == "tool_result":
        return _check_tool_result(where, block)
    return []


def _check_text(where: str, block: dict) -> list[str]:
    text = block.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: text content blocks must contain non-whitespace text, got {text!r}"]
    return []


def _check_tool_result(where: str, block: dict) -> list[str]:
    problems = [] if isinstance(block.get("tool_use_id"), str) else [f"{where}.tool_use_id: must be a string"]
    if not isinstance(block.get("is_error", False), bool):
        problems.append(f"{where}.is_error: must be true or false")
    content = block.get("content")
    if isinstance(content, list):
        for k, inner in enumerate(content):
            if not isinstance(inner, dict) or inner.get("type") not in ("text", "image"):
                problems.append(f"{where}.content.{k}: a tool_result holds only text and image blocks")
            elif inner["type"] == "text":
                problems += _check_text(f"{where}.content.{k}", inner)
    elif content is not None and not isinstance(content, str):
        problems.append(f"{where}.content: must be a string or a list of text/image blocks")
    if block.get("is_error") and not content:
        problems.append(f"{where}.content: cannot be empty if is_error is true")
    return problems


def _check_pairing(messages: list) -> list[str]:
    """Each tool_use is answered by a tool_result in the very next message, first thing in it."""
    problems, seen_uses, seen_results = [], set(), set()
    for i, message in enumerate(messages):
        uses, results = _ids(message, "tool_use", "id"), _ids(message, "tool_result", "tool_use_id")
        for ids, seen, kind in ((uses, seen_uses, "tool_use"), (results, seen_results, "tool_result")):
            for x in ids:
                if x in seen:
                    problems.append(f"messages.{i}: duplicate {kind} id {x!r}")
                seen.add(x)
        before = messages[i - 1] if i else None
        offered = _ids(before, "tool_use", "id") if _role(before) == "assistant" else []
        stray = [x for x in results if x not in offered]
        if stray:
            problems.append(f"messages.{i}: tool_result for {stray} has no tool_use with that id "
                            "in the message just before it")
        kinds = [block.get("type") for block in _blocks(message)]
        if "tool_result" in kinds and any(k != "tool_result" for k in kinds[: _last(kinds, "tool_result")]):
            problems.append(f"messages.{i}: tool_result blocks must come first in the message, before any text")
        after = messages[i + 1] if i + 1 < len(messages) else None
        answered = _ids(after, "tool_result", "tool_use_id") if _role(after) == "user" else []
        missing = [x for x in uses if x not in answered]
        if missing and _role(message) == "assistant":
            problems.append(f"messages.{i}: tool_use {missing} has no tool_result in the message right after it")
    return problems


# ---------------------------------------------------------------------------------------------


def _role(message) -> str | None:
    return message.get("role") if isinstance(message, dict) else None


def _blocks(message) -> list[dict]:
    content = message.get("content") if isinstance(message, dict) else None
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _ids(message, kind: str, key: str) -> list:
    return [b.get(key) for b in _blocks(message) if b.get("type") == kind]


def _last(items: list, value) -> int:
    return len(items) - 1 - items[::-1].index(value)
