"""Servers for the tests: the course's `wordstats` server and the misbehaving ones in servers/,
each started with `TEST_TAG` in its environment, so a test can look for it in the process table."""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from pathlib import Path

import pytest

from s01_agent_loop.cli.demo import SAMPLE_PROJECT
from s01_agent_loop.cli.testing import tagged, wait_until

FAULTY = Path(__file__).with_name("servers") / "faulty.py"


class Entries:
    """`mcpServers` entries for the tests' servers, each tagged for the process table."""

    def __init__(self, tag: str):
        self.tag = tag

    def stdio(self, *args: str) -> dict:
        return {"type": "stdio", "command": sys.executable, "args": list(args), "env": {"TEST_TAG": self.tag}}

    def wordstats(self) -> dict:
        return self.stdio("-m", "s19_mcp_plugin.server", "--root", ".")

    def faulty(self, mode: str) -> dict:
        return self.stdio(str(FAULTY), mode)

    @staticmethod
    def write(folder: Path, servers: dict, name: str = "servers.json") -> Path:
        path = folder / name
        path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
        return path


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the sample project."""
    shutil.copytree(SAMPLE_PROJECT, tmp_path / "project", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "project"


@pytest.fixture
def tag():
    """A fresh tag; after the test, no process carrying it may be left (within the close grace)."""
    value = f"s19-{uuid.uuid4().hex[:8]}"
    yield value
    assert wait_until(lambda: not tagged(value), 10), f"orphans: {tagged(value)}"


@pytest.fixture
def entries(tag) -> Entries:
    return Entries(tag)
