"""Chapter 20: tool refactor. See README.md for the modules in reading order.

subtle: as in s01, the names load on first use, so `s20_tool_refactor --help` stays fast.
"""

__all__ = ["ConcurrentTools", "DeclaredTool", "Router", "from_schema", "tool"]


def __getattr__(name: str):
    if name in ("DeclaredTool", "from_schema", "tool"):
        from . import declare

        return getattr(declare, name)
    if name == "Router":
        from .router import Router

        return Router
    if name == "ConcurrentTools":
        from .concurrency import ConcurrentTools

        return ConcurrentTools
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
