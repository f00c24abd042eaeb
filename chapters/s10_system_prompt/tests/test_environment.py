"""The environment section, on a real git repository in tmp_path, on a plain folder, and with no git."""

import datetime
import subprocess
import sys

import pytest

from s10_system_prompt.environment import STATUS_LINES, read_environment, render

DAY = datetime.date(2026, 11, 5)


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def test_a_plain_folder_is_not_a_repo(tmp_path):
    env = read_environment(tmp_path, DAY)
    text = render(env)
    assert f"Working directory: {tmp_path}" in text
    assert "Is directory a git repo: No" in text and "Today's date: 2026-11-05" in text
    assert f"Platform: {sys.platform}" in text and "git status" not in text


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="no git")
def test_a_repository_gives_branch_status_and_commits_with_the_status_capped(tmp_path):
    git(tmp_path, "init", "-q", "-b", "trunk")
    (tmp_path / "a.txt").write_text("a\n", encoding="utf-8")
    git(tmp_path, "add", "a.txt")
    git(tmp_path, "commit", "-q", "-m", "first commit")
    for n in range(STATUS_LINES + 7):
        (tmp_path / f"new{n:02d}.txt").write_text("x", encoding="utf-8")
    env = read_environment(tmp_path, DAY)
    assert (env.is_git_repo, env.branch, len(env.status)) == (True, "trunk", STATUS_LINES + 7)
    text = render(env)
    assert "Is directory a git repo: Yes" in text and "Current branch: trunk" in text
    assert "this status is a snapshot in time" in text
    assert "?? new00.txt" in text and f"new{STATUS_LINES - 1:02d}.txt" in text
    assert f"new{STATUS_LINES:02d}.txt" not in text
    assert "... and 7 more lines (run `git status` to see them all)" in text
    assert text.rstrip().endswith("first commit")


def test_no_git_on_the_path_is_fine(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    env = read_environment(tmp_path, DAY)
    assert not env.is_git_repo and "Is directory a git repo: No" in render(env)
