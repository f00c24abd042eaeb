"""Chapter 7's agent in one screen: chapter 6's agent plus `Permissions`."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s06_context_compact.wiring import CHAPTER as PREVIOUS
from s06_context_compact.wiring import build as build_previous

from .permissions import Permissions


def build(session: Session):
    agent = build_previous(session)
    agent.use(Permissions())
    return agent


CHAPTER = PREVIOUS.extend(name="s07_permission_system", title="permission system", build=build, here=__file__)
