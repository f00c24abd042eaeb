"""Chapter 1: the agent loop. See README.md for the modules in reading order.

subtle: the names load on first use, so `s01_agent_loop --help` imports neither pydantic nor the SDK.
"""

__all__ = ["Agent", "AgentConfig", "View"]


def __getattr__(name: str):
    if name in __all__:
        from . import agent

        return getattr(agent, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
