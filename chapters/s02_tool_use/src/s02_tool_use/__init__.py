"""Chapter 2: tools and the harness. See README.md for the modules in reading order."""

from .harness import Extension, Harness, Outcome
from .tools import Tool, ToolCall, ToolContext, ToolError, ToolRegistry, ToolResult

__all__ = ["Extension", "Harness", "Outcome", "Tool", "ToolCall", "ToolContext", "ToolError", "ToolRegistry", "ToolResult"]
