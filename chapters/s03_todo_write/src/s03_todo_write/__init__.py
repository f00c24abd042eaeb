"""Chapter 3: planning with TodoWrite. See README.md for the modules in reading order."""

from .planner import TodoPlanner
from .todos import TodoItem, TodoWriteInput

__all__ = ["TodoItem", "TodoPlanner", "TodoWriteInput"]
