"""`SessionLog`: every conversation saved as JSONL as it happens; `--continue`, `--resume`. (stub)"""

from __future__ import annotations

import argparse
import uuid

from s02_tool_use.extension import Extension


class SessionLog(Extension):
    def __init__(self, workdir, session_id: str | None = None):
        self.workdir = workdir
        self.id = session_id or str(uuid.uuid4())

    @classmethod
    def open(cls, session, agent) -> SessionLog:
        return cls(session.workdir)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass
