"""`-q` for scripts: `--output-format text|json|stream-json`, exit codes, tool rules. (stub)"""

from __future__ import annotations

import argparse

run_query = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def apply_tool_rules(session, agent) -> None:
    pass
