"""Chapter 11: error recovery. See README.md for the modules in reading order."""

from .recovery import Recovery

__all__ = ["Recovery"]
