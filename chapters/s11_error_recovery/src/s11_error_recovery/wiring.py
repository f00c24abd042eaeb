"""Chapter 11's agent in one screen: chapter 10's agent plus `Recovery`."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s10_system_prompt.wiring import CHAPTER as PREVIOUS
from s10_system_prompt.wiring import build as build_previous

from .recovery import Recovery


def build(session: Session):
    agent = build_previous(session)
    agent.use(Recovery())
    return agent


CHAPTER = PREVIOUS.extend(name="s11_error_recovery", title="error recovery", build=build, here=__file__)
