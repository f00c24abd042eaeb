"""Chapter 18's agent in one screen: chapter 17's agent plus `Worktrees` (a lane, a git worktree on
its own branch, per task: WorktreeCreate, WorktreeList, WorktreeRun, WorktreeCloseout, `/worktrees`)
and `isolation: worktree` for s04's subagents, each such Task in a fresh lane. The demo lays a
`fixer` agent type, the project's rules for git and merges, and a second bug over the sample project."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s04_subagent.subagents import Subagents
from s17_autonomous_agents.wiring import CHAPTER as PREVIOUS
from s17_autonomous_agents.wiring import build as build_previous

from .isolation import LaneIsolation
from .worktrees import Worktrees


def build(session: Session):
    agent = build_previous(session)
    agent.use(Worktrees(session.workdir))
    Subagents.of(agent).isolations["worktree"] = LaneIsolation()  # agent files' `isolation: worktree`
    return agent


CHAPTER = PREVIOUS.extend(name="s18_worktree_task_isolation", title="worktree task isolation", build=build,
                          here=__file__, overlays=(Path(__file__).with_name("demo_overlay"),))
