"""Chapter 9: memory system. See README.md for the modules in reading order."""

from .memory import Memory

__all__ = ["Memory"]
