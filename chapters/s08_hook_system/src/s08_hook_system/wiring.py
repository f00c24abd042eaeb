"""Chapter 8's agent in one screen: chapter 7's agent plus `Hooks`."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s07_permission_system.wiring import CHAPTER as PREVIOUS
from s07_permission_system.wiring import build as build_previous

from .hooks import Hooks


def build(session: Session):
    agent = build_previous(session)
    agent.use(Hooks())
    return agent


CHAPTER = PREVIOUS.extend(name="s08_hook_system", title="hook system", build=build, here=__file__)
