"""This chapter's agent in one screen: the previous chapter's agent plus Subagents."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from s01_agent_loop.cli import Session
from s03_todo_write.wiring import CHAPTER as PREVIOUS
from s03_todo_write.wiring import build as build_previous

from .subagents import Subagents


def build(session: Session):
    agent = build_previous(session)
    agent.use(Subagents())
    return agent


CHAPTER = replace(
    PREVIOUS,
    name="s04_subagent",
    title="subagents",
    build=build,
    scenario=Path(__file__).with_name("demo.yaml"),
)
