"""A real git repository in a temporary folder for every test that wants one, with an author for
its commits (the suite's private HOME has no git config)."""

from __future__ import annotations

import subprocess

import pytest

IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com"}
STATS = '''def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def count(words):
    return len(words)
'''


def sh(folder, *args: str) -> str:
    """`git -C folder args...`'s stdout; the test fails on a git error."""
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """`<tmp_path>/repo`, a repository of two files and one commit on `main`; `tmp_path` itself is
    the test's own, for files that must stay out of the repository (a hook's log)."""
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    tmp_path = tmp_path / "repo"
    tmp_path.mkdir()
    (tmp_path / "stats.py").write_text(STATS, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("one\n", encoding="utf-8")
    sh(tmp_path, "init", "-q", "-b", "main")
    sh(tmp_path, "add", "-A")
    sh(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def results(model, call: int) -> list[dict]:
    """The tool_results the model got in its request number `call` (0 is the first)."""
    return [block for block in model.calls[call]["messages"][-1]["content"] if block["type"] == "tool_result"]
