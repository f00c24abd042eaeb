"""Chapter 12's agent in one screen: chapter 11's agent with s03's TodoWrite plan replaced by a
`TaskSystem`, a task graph kept on disk (TaskCreate, TaskUpdate, TaskGet, TaskList, `/tasks`)."""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s03_todo_write.planner import TodoPlanner
from s11_error_recovery.wiring import CHAPTER as PREVIOUS
from s11_error_recovery.wiring import build as build_previous

from .task_system import TaskSystem


def build(session: Session):
    agent = build_previous(session)
    # one way to plan: Claude Code 2.x replaced its TodoWrite with these task tools
    agent.drop(TodoPlanner)
    agent.use(TaskSystem(session.workdir))
    return agent


CHAPTER = PREVIOUS.extend(name="s12_task_system", title="the task system", build=build, here=__file__)
