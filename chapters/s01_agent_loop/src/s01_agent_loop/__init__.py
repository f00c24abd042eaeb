"""Chapter 1: the agent loop. See README.md for the modules in reading order."""

from .agent import Agent, AgentConfig, View

__all__ = ["Agent", "AgentConfig", "View"]
