"""`uv run s15_agent_teams`: this chapter's agent on the shared command line; with `--teammate NAME
--team T`, one teammate of a lead's team, as a process of its own (teammate.py `teammate_main`)."""

from __future__ import annotations

import sys

from s01_agent_loop.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    from .wiring import CHAPTER

    argv = sys.argv[1:] if argv is None else argv
    if "--teammate" in argv:
        from .teammate import teammate_main

        return teammate_main(CHAPTER, argv)
    return cli_main(CHAPTER, argv)


if __name__ == "__main__":
    raise SystemExit(main())
