"""Chapter 2's agent in one screen: s01's loop, now a `Harness`, with six tools and no extensions.

Later chapters start from `build` and plug their capability in:
    agent = s02_tool_use.wiring.build(session); agent.use(MyExtension()); return agent
"""

from __future__ import annotations

from s01_agent_loop.cli import Session
from s01_agent_loop.wiring import CHAPTER as S01

from .bash import BASH
from .files import FILE_TOOLS
from .harness import Harness
from .search import SEARCH_TOOLS

TOOLS = [BASH, *FILE_TOOLS, *SEARCH_TOOLS]


def build(session: Session) -> Harness:
    return Harness(session.model, session.config, session.workdir, session.view, tools=TOOLS)


CHAPTER = S01.extend(name="s02_tool_use", title="tools and the harness", build=build, here=__file__)
