"""Chapter 13's agent in one screen: chapter 12's agent plus `BackgroundJobs` (bash with
run_in_background, TaskOutput, TaskStop, JobList, `/jobs`), which tells the session's inbox when a
job ends. The demo adds a slow test to the sample project (`demo_overlay/tests/test_corpus.py`, about
a second), so that running the suite in the background is worth it."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s12_task_system.wiring import CHAPTER as PREVIOUS
from s12_task_system.wiring import build as build_previous

from .background import BackgroundJobs


def build(session: Session):
    agent = build_previous(session)
    agent.use(BackgroundJobs(session.inbox))
    return agent


CHAPTER = PREVIOUS.extend(name="s13_background_tasks", title="background tasks", build=build, here=__file__,
                          overlays=(Path(__file__).with_name("demo_overlay"),))
