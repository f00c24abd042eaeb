"""What an MCP server answers, as s02's `ToolResult`: the text the model reads, image blocks after it.

    TextContent                   its text
    ImageContent (png/jpeg/gif/webp) an image block: {"type": "image", "source": {"type": "base64", ...}}
    structured_content            the JSON, when no text came with it (servers usually send both)
    EmbeddedResource              its text, or a line naming a binary resource
    ResourceLink, AudioContent    a line saying what it is (the Messages API takes neither here)
    is_error                      kept: the model reads the server's error as an error

Duck-typed on the `type` field, so this module does not import `mcp` (it is heavy to import).
"""

from __future__ import annotations

import json

from s02_tool_use.tools import ToolResult

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
"""What the Messages API takes as an image block."""


def tool_result(result) -> ToolResult:
    """A `CallToolResult` -> `ToolResult` (text, then image blocks; `is_error` kept)."""
    texts, blocks = [], []
    for item in result.content or []:
        kind = getattr(item, "type", None)
        if kind == "text":
            texts.append(item.text)
        elif kind == "image" and item.mime_type in IMAGE_TYPES:
            blocks.append({"type": "image", "source": {"type": "base64", "media_type": item.mime_type,
                                                         "data": item.data}})
        elif kind == "image" or kind == "audio":
            texts.append(f"[{kind} ({item.mime_type}, {len(item.data) * 3 // 4:,} bytes) not shown]")
        elif kind == "resource":
            texts.append(resource_text(item.resource))
        elif kind == "resource_link":
            texts.append(f"[resource {item.uri}" + (f": {item.description}]" if item.description else "]"))
        else:
            texts.append(f"[{kind} content not shown]")
    if result.structured_content is not None and not texts:
        texts.append(json.dumps(result.structured_content, ensure_ascii=False, indent=2))
    text = "\n".join(texts)
    if not text.strip() and not blocks:
        text = "(no output)"
    return ToolResult(text, is_error=bool(result.is_error), blocks=blocks or None)


def resource_text(contents) -> str:
    """One resource's contents: its text, or a line for a binary one."""
    text = getattr(contents, "text", None)
    if text is not None:
        return text
    return f"[binary resource {contents.uri} ({contents.mime_type or 'unknown type'}, " \
           f"{len(contents.blob) * 3 // 4:,} bytes) not shown]"
