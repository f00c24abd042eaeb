"""Chapter 8's agent in one screen: chapter 7's agent plus `Hooks`, plugged in ahead of s07's
`Permissions` (a PreToolUse hook sees each call before the permission gate), with `/hooks`.
The demo lays hook scripts and a `hooks` block over the sample project (`demo_overlay/.claude/`)."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s07_permission_system.permissions import Permissions
from s07_permission_system.wiring import CHAPTER as PREVIOUS
from s07_permission_system.wiring import build as build_previous

from .hooks import Hooks


def build(session: Session):
    agent = build_previous(session)
    hooks = Hooks(ignore_broken=getattr(session.args, "ignore_broken_settings", False))
    hooks.load(agent)  # the settings are checked now: a broken hooks block stops here
    agent.use(hooks, before=Permissions)  # the gate then judges the input a hook may have rewritten
    return agent


CHAPTER = PREVIOUS.extend(
    name="s08_hook_system",
    title="hook system",
    build=build,
    here=__file__,
    overlays=(Path(__file__).with_name("demo_overlay"),),
)
