"""Chapter 8: hook system. See README.md for the modules in reading order."""

from .hooks import Hooks

__all__ = ["Hooks"]
