"""Chapter 10's agent in one screen: chapter 9's agent plus `SystemPrompt`."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s09_memory_system.wiring import CHAPTER as PREVIOUS
from s09_memory_system.wiring import build as build_previous

from .prompt import SystemPrompt


def build(session: Session):
    agent = build_previous(session)
    agent.use(SystemPrompt())
    return agent


CHAPTER = PREVIOUS.extend(name="s10_system_prompt", title="system prompt", build=build, here=__file__)
