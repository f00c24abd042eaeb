"""Chapter 4: subagents. See README.md for the modules in reading order.

subtle: as in s01, the names load on first use, so `s04_subagent --help` stays fast.
"""

__all__ = ["AgentCatalog", "AgentType", "Subagents", "load_agent_types"]


def __getattr__(name: str):
    if name == "Subagents":
        from .subagents import Subagents

        return Subagents
    if name in __all__:
        from . import agent_types

        return getattr(agent_types, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
