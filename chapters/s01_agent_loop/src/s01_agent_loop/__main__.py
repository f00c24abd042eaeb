"""`uv run s01_agent_loop`: chapter 1's agent on the shared command line."""

from __future__ import annotations

from pathlib import Path

from .cli import Chapter, Session
from .cli import main as cli_main


def build(session: Session):
    from .agent import Agent

    return Agent(session.model, session.config, session.workdir, session.view)


CHAPTER = Chapter(
    name="s01_agent_loop",
    title="the agent loop",
    build=build,
    scenario=Path(__file__).with_name("demo.yaml"),
)


def main(argv: list[str] | None = None) -> int:
    return cli_main(CHAPTER, argv)


if __name__ == "__main__":
    raise SystemExit(main())
