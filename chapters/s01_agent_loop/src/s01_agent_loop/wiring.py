"""Chapter 1's agent in one screen: s01's `Agent` with its one tool, and the chapter's demo.

Every later chapter's wiring starts from the one before: `CHAPTER = PREVIOUS.extend(...)`.
"""

from __future__ import annotations

from pathlib import Path

from .cli import Chapter, Session


def build(session: Session):
    from .agent import Agent  # subtle: here, not above, so `--help` does not import pydantic

    return Agent(session.model, session.config, session.workdir, session.view)


CHAPTER = Chapter(
    name="s01_agent_loop",
    title="the agent loop",
    build=build,
    scenario=Path(__file__).with_name("demo.yaml"),
)
