"""Chapter 18: worktree task isolation. See README.md for the modules in reading order.

subtle: as in s01, the names load on first use, so `s18_worktree_task_isolation --help` stays fast.
"""

__all__ = ["Lane", "LaneIsolation", "Lanes", "Worktrees", "merge_lane"]


def __getattr__(name: str):
    if name in ("Lane", "Lanes"):
        from . import lanes

        return getattr(lanes, name)
    if name == "LaneIsolation":
        from .isolation import LaneIsolation

        return LaneIsolation
    if name == "Worktrees":
        from .worktrees import Worktrees

        return Worktrees
    if name == "merge_lane":
        from .merge import merge_lane

        return merge_lane
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
