"""End to end: the demo, on the command line as a learner runs it (80 columns), with the real SDK
against the scripted model on loopback, and real git."""

from __future__ import annotations

from s01_agent_loop.cli.testing import run_chapter

from .conftest import IDENTITY


def test_the_demo_fixes_two_bugs_in_two_lanes_and_merges_both():
    result = run_chapter("s18_worktree_task_isolation", "--demo", env={"COLUMNS": "80", **IDENTITY})
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "is not in a git repository" in out  # before `git init`: a message, not a traceback
    for n in (1, 2):
        assert f"⎇ lane fixer-{n}: .harness/worktrees/fixer-{n}, branch lane/fixer-{n}" in out
        assert f"compiles (checked in fixer-{n})" in out  # the PostToolUse hook ran in the lane
        assert f"⎇ lane fixer-{n} kept: 1 commit" in out
        assert f"Merged lane/fixer-{n} into " in out
    assert out.count("⚑ WorktreeCreate hook") == 2
    assert "Ran 6 tests" in out and "Traceback" not in out + result.stderr
