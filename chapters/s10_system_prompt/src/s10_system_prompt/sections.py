"""The sections of the system prompt, in order, and the text of the two static ones.

    identity       static   who the agent is and how it works (the same for every project)
    tool_guidance  static   how to use the tools it has, and other extensions' standing sections
    skills         dynamic  s05's catalog of this project's skills
    memory         dynamic  s09's memories, as snapshotted at the start of the session
    claude_md      dynamic  the CLAUDE.md chain (claude_md.py)
    environment    dynamic  work dir, platform, date, git (environment.py)

subtle: s02's identity names the work dir, so it differs from project to project; here the work dir
moves to the environment section, and everything before the first cache breakpoint is the same
text for every session of this agent: one cached prefix serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER = ("identity", "tool_guidance", "skills", "memory", "claude_md", "environment")
STATIC = ("identity", "tool_guidance")

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

TOOL_TIPS = {
    "read_file": "Read a file with read_file before you edit it; use offset and limit for long files.",
    "edit_file": "Change files with edit_file (old_string must match exactly once); use write_file only "
                 "for new files or complete rewrites.",
    "glob": "Find files with glob and search their contents with grep, rather than find or grep in bash.",
    "bash": "Use bash to run commands, tests and git; quote paths with spaces.",
    "TodoWrite": "For a task of three steps or more, keep a plan with TodoWrite.",
    "Task": "Hand broad searches and self-contained jobs to a subagent with Task; it returns one report.",
    "Skill": "When a skill in the Skills section fits the task, load it with Skill before you start.",
    "compact": "When the conversation grows long with output you no longer need, call compact.",
}
"""One line per tool, shown when the agent has that tool."""


@dataclass(frozen=True)
class Section:
    name: str
    text: str

    @property
    def static(self) -> bool:
        return self.name in STATIC


def tool_guidance(tool_names, other_sections: list[str]) -> str:
    """How to use the tools this agent has, then the sections of extensions without a place of
    their own (s03's planning rules, s04's subagent note...)."""
    tips = [f"- {tip}" for name, tip in TOOL_TIPS.items() if name in tool_names]
    parts = ["# Using your tools\n" + "\n".join(tips)] if tips else []
    return "\n\n".join([*parts, *other_sections])
