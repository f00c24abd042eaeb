"""STUB: replaced by the chapter's real module."""

from __future__ import annotations

from s02_tool_use.harness import Extension


class Recovery(Extension):
    """STUB."""
