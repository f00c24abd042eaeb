"""The reply on the wire: a Message as JSON, the same Message as server-sent events, API errors.

A streamed reply is a fixed sequence of events; the SDK rebuilds the Message from them:

    message_start          the message with empty content, and the input usage
    content_block_start    per block: a text block with "" or a tool_use with input {}
    content_block_delta    text_delta pieces of a few words, or input_json_delta pieces of JSON
    content_block_stop
    message_delta          stop_reason, and output_tokens
    message_stop
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

Event = tuple[str, dict]  # (event name, data)


def message_json(msg_id: str, model: str, content: list[dict], stop_reason: str, usage: dict) -> dict:
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage,
    }


def error_json(error_type: str, message: str, request_id: str) -> dict:
    return {"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id}


def sse(event: str, data: dict) -> bytes:
    """One server-sent event; subtle: the SDK skips events that have no `event:` line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def stream_events(message: dict) -> Iterator[Event]:
    """The events that stream `message` (a dict from `message_json`)."""
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
    yield "message_start", {"type": "message_start", "message": start}
    yield "ping", {"type": "ping"}
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            opening, kind, key, pieces = {"type": "text", "text": ""}, "text_delta", "text", words(block["text"])
        else:
            opening = {**block, "input": {}}
            kind, key, pieces = "input_json_delta", "partial_json", slices(json.dumps(block["input"]))
        yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}
        for piece in pieces:
            delta = {"type": "content_block_delta", "index": index, "delta": {"type": kind, key: piece}}
            yield "content_block_delta", delta
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": None}
    yield "message_delta", {"type": "message_delta", "delta": delta,
                            "usage": {"output_tokens": usage["output_tokens"]}}
    yield "message_stop", {"type": "message_stop"}


def cut_events(message: dict) -> list[Event]:
    """The start of a stream, up to and including its first delta: what arrives before a cut."""
    events = []
    for event in stream_events(message):
        events.append(event)
        if event[0] == "content_block_delta":
            break
    return events


def words(text: str, per_piece: int = 3) -> list[str]:
    """`text` in pieces of a few words that join back to exactly `text`."""
    tokens = re.findall(r"\s*\S+\s*", text)
    return ["".join(tokens[i : i + per_piece]) for i in range(0, len(tokens), per_piece)] or [text]


def slices(text: str, n: int = 3) -> list[str]:
    """`text` cut into about `n` pieces (partial JSON is not valid JSON, and need not be)."""
    size = max(1, -(-len(text) // n))
    return [text[i : i + size] for i in range(0, len(text), size)]
