"""Chapter 2: tools and the harness. See README.md for the modules in reading order."""

from .extension import Extension, Outcome, Section, Verdict
from .harness import Harness, HarnessConfig, Request
from .tools import Tool, ToolCall, ToolContext, ToolError, ToolRegistry, ToolResult

__all__ = ["Extension", "Harness", "HarnessConfig", "Outcome", "Request", "Section", "Tool", "ToolCall",
           "ToolContext", "ToolError", "ToolRegistry", "ToolResult", "Verdict"]
