"""Chapter 10: system prompt. See README.md for the modules in reading order."""

from .prompt import SystemPrompt

__all__ = ["SystemPrompt"]
