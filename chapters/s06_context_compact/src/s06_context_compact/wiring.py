"""This chapter's agent in one screen: the previous chapter's agent plus Compactor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from s01_agent_loop.cli import Session
from s05_skill_loading.wiring import CHAPTER as PREVIOUS
from s05_skill_loading.wiring import build as build_previous

from .compaction import Compactor


def build(session: Session):
    agent = build_previous(session)
    agent.use(Compactor())
    return agent


CHAPTER = replace(
    PREVIOUS,
    name="s06_context_compact",
    title="context compaction",
    build=build,
    scenario=Path(__file__).with_name("demo.yaml"),
)
