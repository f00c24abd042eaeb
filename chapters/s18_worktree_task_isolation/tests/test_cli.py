"""End to end: the demo, on the command line as a learner runs it (80 columns), with the real SDK
against the scripted model on loopback, and real git."""

from __future__ import annotations

from s01_agent_loop.cli.testing import run_chapter

from .conftest import IDENTITY


def test_the_demo_has_two_teammates_fix_two_bugs_in_two_lanes_and_merges_both():
    result = run_chapter("s18_worktree_task_isolation", "--demo", env={"COLUMNS": "80", **IDENTITY})
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "is not in a git repository" in out  # before `git init`: a message, not a traceback
    for name in ("alice", "bob"):
        assert f"It works in the lane {name}-1 (.harness/worktrees/{name}-1, branch lane/{name}-1)" in out
        assert f"compiles (checked in {name}-1)" in out  # the PostToolUse hook ran in the teammate's lane
        assert f"Merged lane/{name}-1 into " in out
    assert out.count("⚑ WorktreeCreate hook") == 2
    assert out.index("Merged lane/alice-1") < out.index("bob    ● SendMessage")  # merged while bob worked
    assert "Ran 6 tests" in out and "2 tasks: 2 completed" in out and "Traceback" not in out + result.stderr
    assert out.rstrip().endswith("stopped 2 teammates at exit: alice, bob")
