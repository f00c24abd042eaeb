"""The sections of the system prompt, in order, and the text of the two static ones s10 writes.

    identity       static   who the agent is and how it works (the same for every project)
    tool_guidance  static   one tip per tool, from each tool's own declaration (`Tool.tip`)
    (the others)   static   other extensions' standing sections: s03's planning, s04's subagent note
    skills         dynamic  s05's catalog of this project's skills
    memory         dynamic  s09's memories, as snapshotted at the start of the session
    claude_md      dynamic  the CLAUDE.md chain (claude_md.py)
    environment    dynamic  work dir, platform, date, git (environment.py)

subtle: s02's identity names the work dir, so it differs from project to project; here the work dir
moves to the environment section, and everything before the first cache breakpoint is the same
text for every session of this agent: one cached prefix serves them all.
"""

from __future__ import annotations

from s02_tool_use.extension import Section
from s02_tool_use.tools import Tool

DYNAMIC = ("skills", "memory", "claude_md", "environment")
"""The sections that are this session's, in the order they are sent, after every static one."""

IDENTITY = """You are a coding agent: you help the user with software engineering tasks in the project \
described in the Environment section below. Paths in your tools are relative to its working directory.

# Doing tasks
- Understand before you change: read the code involved and follow the project's conventions, \
libraries and style. Never assume a library is available; check how the project already does it.
- Make the smallest change that solves the task, then verify it: run the tests or the command that \
shows it works. If something fails, read the error and fix the cause.
- Do not commit, push or delete files unless the user asks you to.
- Instructions from the user's CLAUDE.md files (below) take precedence over these defaults.

# Tone
Be concise and direct. Do not restate what a tool already showed. Finish with a short answer that \
says what you did and what you found; name files as `path` or `path:line`."""


def arrange(sections: list[Section]) -> list[Section]:
    """Static sections first (identity, tool guidance, then the others in the order given), then
    the dynamic ones: those in `DYNAMIC`, in its order, then any that declare themselves `dynamic`."""
    first = [s for s in sections if s.name in ("identity", "tool_guidance")]
    first.sort(key=lambda s: s.name != "identity")
    others = [s for s in sections if s.name not in ("identity", "tool_guidance", *DYNAMIC)]
    by_name = {s.name: s for s in sections}
    return [*first, *(s for s in others if not s.dynamic), *(by_name[name] for name in DYNAMIC if name in by_name),
            *(s for s in others if s.dynamic)]


def is_static(section: Section) -> bool:
    return section.name not in DYNAMIC and not section.dynamic


def tool_guidance(tools: list[Tool]) -> str | None:
    """How to use the tools this agent has: each tool's own tip, in the registry's order."""
    tips = [f"- {tool.tip}" for tool in tools if tool.tip]
    return "# Using your tools\n" + "\n".join(tips) if tips else None
