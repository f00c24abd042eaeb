"""The summary: the request that asks for it, and the message that carries it into the new history.

The summary request is a request of its own, not a turn of the conversation: the same model, a
system prompt that asks for a summary, no tools, and the part of the conversation to summarise
rendered as text in ONE user message. subtle: sending the history itself with "now summarise"
would end on an assistant turn whenever the history does, and would let the model answer with a
tool call; as text, the request is always valid.

The summary message starts the new history. Besides the summary it says what a summary tends to
lose: the focus the user asked for, the files read or edited lately (by path, to read again), and
the current plan. The plan is found by duck typing: any extension of the agent with a non-empty
`todos` (or `plan`) list of items that have `content` and `status` (s03's `TodoPlanner` does).
"""

from __future__ import annotations

import json

from s01_agent_loop.agent import message_blocks
from s01_agent_loop.shell import cap

SUMMARY_SYSTEM = """You summarise coding sessions. An agent's conversation has grown too long for its
context window; your summary replaces the older part, so the agent must be able to carry on the
work from it alone. Answer with the summary only; you cannot call tools."""

SUMMARY_PROMPT = """Summarise this conversation between a user and a coding agent. Write these sections:
1. Request: what the user asked for, with their exact words where they matter.
2. Done: what the agent found and changed, step by step; keep exact file paths, function names,
   commands, error messages and results.
3. Files: each file read or changed, and what matters about it now.
4. Open: what is still to do, and the very next step.
Be specific and brief (at most about 400 words).{focus}

<conversation>
{conversation}
</conversation>"""

SUMMARY_HEADER = """This session is being continued from a previous conversation that ran out of context.
The summary below covers the earlier part of the conversation; the most recent messages follow it
unchanged. The full earlier conversation is saved in {transcript} (read_file can page through it)."""

FILE_TOOLS = ("read_file", "write_file", "edit_file")
RESULT_CHARS = 1_500
INPUT_CHARS = 400


def summary_request(model: str, messages: list[dict], focus: str | None, max_tokens: int) -> dict:
    """The keyword arguments of `messages.create` that ask for a summary of `messages`."""
    hint = f"\nInstructions for this summary: {focus}" if focus else ""
    prompt = SUMMARY_PROMPT.format(focus=hint, conversation=render(messages))
    return {"model": model, "max_tokens": max_tokens, "system": SUMMARY_SYSTEM,
            "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}]}


def render(messages: list[dict]) -> str:
    """The conversation as plain text, one paragraph per block; long tool results and inputs are clipped.

    e.g. `user: Why does the test fail?` / `assistant called bash {"command": "pytest"}` /
    `tool result: FAILED test_median_even ...`
    """
    parts = []
    for message in messages:
        role = message["role"]
        for block in message_blocks(message):
            kind = block.get("type")
            if kind == "text":
                parts.append(f"{role}: {block['text']}")
            elif kind == "tool_use":
                parts.append(f"{role} called {block['name']} {cap(json.dumps(block['input'], ensure_ascii=False), INPUT_CHARS)}")
            elif kind == "tool_result":
                label = "tool result (error)" if block.get("is_error") else "tool result"
                parts.append(f"{label}: {cap(content_text(block.get('content')), RESULT_CHARS)}")
            else:
                parts.append(f"{role}: [{kind} block]")
    return "\n\n".join(parts)


def summary_message(summary: str, transcript: str, focus: str | None, files: list[str], plan: list[str]) -> dict:
    """The user message that opens the compacted history."""
    text = [SUMMARY_HEADER.format(transcript=transcript), f"<summary>\n{summary.strip()}\n</summary>"]
    if focus:
        text.append(f"Instructions given for this summary: {focus}")
    if files:
        text.append("Files read or changed recently (read them again before relying on their content): "
                    + ", ".join(files))
    if plan:
        text.append("The current plan (TodoWrite):\n" + "\n".join(plan))
    return {"role": "user", "content": [{"type": "text", "text": "\n\n".join(text)}]}


def is_summary(message: dict) -> bool:
    """Whether `message` is one `summary_message` made: the start of a compacted history (full's
    `/export` marks it as a summary, not a prompt)."""
    content = message.get("content")
    first = content[0] if isinstance(content, list) and content else {}
    return (message.get("role") == "user" and first.get("type") == "text"
            and first.get("text", "").startswith(SUMMARY_HEADER.partition("{")[0]))


def recent_files(messages: list[dict], limit: int = 10) -> list[str]:
    """The paths given to the file tools, most recent first, each once."""
    paths: list[str] = []
    for message in reversed(messages):
        for block in reversed(message["content"] if isinstance(message["content"], list) else []):
            path = block.get("input", {}).get("path") if block.get("type") == "tool_use" else None
            if block.get("name") in FILE_TOOLS and isinstance(path, str) and path not in paths:
                paths.append(path)
    return paths[:limit]


def current_plan(agent) -> list[str]:
    """The plan of any extension that keeps one (duck typing: `todos` or `plan`), as checklist lines."""
    for extension in getattr(agent, "extensions", ()):
        items = getattr(extension, "todos", None) or getattr(extension, "plan", None)
        if isinstance(items, list) and items:
            return [f"- [{field(item, 'status')}] {field(item, 'content')}" for item in items]
    return []


# ---------------------------------------------------------------------------------------------


def field(item, name: str) -> str:
    """`item.name` or `item[name]`: plan items may be pydantic models or plain dicts."""
    value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
    return str(value) if value is not None else "?"


def content_text(content) -> str:
    """A tool_result's content as text: a string, or its text blocks joined."""
    if isinstance(content, str):
        return content
    return "\n".join(block.get("text", f"[{block.get('type')} block]") for block in content or [])
