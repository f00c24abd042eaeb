"""Chapter 10: the system prompt from ordered sections, built for the prompt cache. See README.md."""

from .prompt import SystemPrompt

__all__ = ["SystemPrompt"]
