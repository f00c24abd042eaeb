"""`Export`: `/export [FILE]` writes the conversation as Markdown, as Claude Code's `/export` does.

The page follows `agent.messages`, in order:
- each prompt, under `## User`; what the harness added beside it (hook output, attached files,
  reminders, a finished background job) folded in a `<details>` block after it;
- the model's text, under `## Assistant`, as it wrote it (it is Markdown already);
- each tool call: its name, its input as JSON, and the first lines of its result (an error says so);
- a compaction summary (s06), marked as one: the conversation before it is in the transcript it names.

It goes to FILE (relative to the work dir; a folder gets the default name) or to
`.harness/exports/<date>-<time>-<first words>.md`, written atomically (s02's `write_atomic`), and
the command says where.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from rich.text import Text

from s01_agent_loop.agent import content_text, message_blocks
from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension
from s02_tool_use.files import write_atomic
from s02_tool_use.paths import display_path
from s02_tool_use.state import state_path
from s06_context_compact.summary import is_summary

PREVIEW_LINES = 20
PREVIEW_CHARS = 2_000
SLUG_WORDS = 6


class Export(Extension):
    def __init__(self, now: Callable[[], datetime] = datetime.now):
        self.now = now

    def commands(self) -> dict[str, SlashCommand]:
        return {"export": SlashCommand("write the conversation to a Markdown file: /export [FILE] (default: "
                                       ".harness/exports/<date>-<first words>.md)", partial(export, self))}


def export(exporter: Export, agent, argument: str, console) -> None:
    """`/export [FILE]`: write the page, say where (or why not)."""
    if not agent.messages:
        console.print("nothing to export: the conversation is empty")
        return
    now = exporter.now()
    target = destination(agent, unquoted(argument.strip()), now)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, markdown(agent, now))
    except OSError as error:
        console.print(Text.assemble(("export failed: ", "red"), f"{error.strerror or error}: {target}"))
        return
    console.print(f"exported the conversation to {display_path(agent.workdir, target)}", markup=False)


def destination(agent, argument: str, now: datetime) -> Path:
    """FILE as given (`~` expanded, relative to the work dir), a default name inside it if it is a
    folder; with no FILE, `.harness/exports/<date>-<time>-<first words>.md`."""
    name = f"{now:%Y-%m-%d-%H%M%S}-{slug(first_prompt(agent.messages))}.md"
    if not argument:
        return state_path(agent.workdir, "exports", name)
    target = Path(agent.workdir, Path(argument).expanduser())
    return target / name if target.is_dir() else target


# ---------------------------------------------------------------------------------------------


def markdown(agent, now: datetime) -> str:
    """The conversation as a Markdown page."""
    messages = agent.messages
    results = {block["tool_use_id"]: block for message in messages if message["role"] == "user"
               for block in message_blocks(message) if block.get("type") == "tool_result"}
    out = [f"# Conversation, {now:%Y-%m-%d %H:%M}", "",
           f"Work dir `{agent.workdir}` · model `{agent.config.model}` · {len(messages)} messages", ""]
    speaker = None
    for message in messages:
        if is_summary(message):
            out += ["## Compaction summary", "", "> The conversation before this point was compacted (s06); "
                    "this summary stands for it.", "", content_text(message_blocks(message)), ""]
            speaker = None
            continue
        if message["role"] == "assistant":
            if speaker != "assistant":
                out += ["## Assistant", ""]
            speaker = "assistant"
            for block in message_blocks(message):
                out += assistant_block(block, results)
            continue
        texts = [block for block in message_blocks(message) if block.get("type") != "tool_result"]
        answered = len(texts) < len(message_blocks(message))
        *context, prompt = texts or [None]
        if answered and prompt is not None:  # beside tool results, text is the harness's, never a prompt
            context, prompt = texts, None
        added = "\n\n".join(content_text([block]) for block in context)
        if prompt is not None:
            out += ["## User", "", content_text([prompt]), ""]
            out += folded("added with this prompt (hook output, attached files...)", added) if context else []
            speaker = "user"
        elif context:
            out += folded("added by the harness", added)
    return "\n".join(out).rstrip() + "\n"


def assistant_block(block: dict, results: dict[str, dict]) -> list[str]:
    kind = block.get("type")
    if kind == "text":
        return [block["text"], ""]
    if kind != "tool_use":
        return [f"_[{kind} block]_", ""]
    lines = [f"**Tool call** `{block['name']}`", *fenced(json.dumps(block.get("input"), ensure_ascii=False, indent=2),
                                                          "json")]
    result = results.get(block["id"])
    if result is None:
        return [*lines, "_no result (the turn ended here)_", ""]
    text = content_text(result.get("content") or "")
    shown, cut = preview(text)
    label = "Result (error)" if result.get("is_error") else "Result"
    more = f", first {len(shown.splitlines())} of {len(text.splitlines())} lines" if cut else ""
    return [*lines, f"{label}{more}:", *fenced(shown or "(empty)", "text"), ""]


def preview(text: str) -> tuple[str, bool]:
    """The first PREVIEW_LINES lines of `text`, at most PREVIEW_CHARS, and whether it was cut."""
    lines = text.splitlines()[:PREVIEW_LINES]
    shown = "\n".join(lines)[:PREVIEW_CHARS]
    return shown, shown != text.rstrip("\n")


def fenced(text: str, language: str) -> list[str]:
    """A code block whose fence is longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence]


def folded(summary: str, text: str) -> list[str]:
    return ["<details>", f"<summary>{summary} ({len(text):,} characters)</summary>", "", *fenced(text, "text"),
            "", "</details>", ""]


def first_prompt(messages: list[dict]) -> str:
    """The first prompt's text (the last text of the first user message without tool results)."""
    for message in messages:
        blocks = message_blocks(message)
        if message["role"] == "user" and not is_summary(message) and \
                not any(b.get("type") == "tool_result" for b in blocks):
            texts = [b["text"] for b in blocks if b.get("type") == "text"]
            if texts:
                return texts[-1]
    return ""


def unquoted(argument: str) -> str:
    """`"my chat.md"` -> `my chat.md`: a name with spaces may be quoted, or not."""
    if len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "'\"":
        return argument[1:-1]
    return argument


def slug(text: str) -> str:
    """`Fix the median, please!` -> `fix-the-median-please`; `conversation` when nothing is left."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:SLUG_WORDS]
    return "-".join(words)[:60].strip("-") or "conversation"
