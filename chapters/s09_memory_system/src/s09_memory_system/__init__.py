"""Chapter 9: memory system. See README.md for the modules in reading order."""

from .memory import Memory, MemoryInput
from .store import TYPES, MemoryMeta, scan

__all__ = ["TYPES", "Memory", "MemoryInput", "MemoryMeta", "scan"]
