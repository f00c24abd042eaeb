"""`uv run full`: the integrated agent on the shared command line (s01's `cli`)."""

from __future__ import annotations

from s01_agent_loop.cli import main as cli_main


def main(argv: list[str] | None = None) -> int:
    from .wiring import CHAPTER

    return cli_main(CHAPTER, argv)


if __name__ == "__main__":
    raise SystemExit(main())
