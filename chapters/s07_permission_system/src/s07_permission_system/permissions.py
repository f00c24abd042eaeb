"""STUB: replaced by the chapter's real module. The names s08 relies on are kept."""

from __future__ import annotations

from typing import Literal

from s02_tool_use.harness import Extension

Mode = Literal["default", "acceptEdits", "plan", "bypassPermissions"]
MODES = ("default", "acceptEdits", "plan", "bypassPermissions")


class Permissions(Extension):
    """STUB."""

    def __init__(self, mode: Mode = "default"):
        self.mode = mode
        self.hints: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        """Tool name -> "read", "edit", "shell" or "internal" (the harness's own state: always allowed).
        Later chapters register their tools: `Permissions.of(agent).kinds["memory"] = "internal"`."""

    def hint(self, call_id: str, behavior: Literal["allow", "ask"]) -> None:
        """A PreToolUse step that ran before the gate (s08's hooks) decided for this call: "allow"
        (do not ask the user; deny rules and plan mode still refuse) or "ask" (ask even if a rule
        allows it)."""
        self.hints[call_id] = behavior

    def for_subagent(self):
        return self
