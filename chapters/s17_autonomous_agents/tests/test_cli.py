"""End to end: the demo, with the real SDK against the scripted model on loopback, the real hooks
of the demo project, and teammates that stop on their own."""

from __future__ import annotations

from s01_agent_loop.cli.testing import run_chapter


def test_the_demo_teammates_claim_the_tasks_are_sent_back_by_hooks_and_stop_when_idle():
    result = run_chapter("s17_autonomous_agents", "--demo")
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    # 1. nobody assigned a task: each was claimed for an idle teammate, #3 once it was ready
    assert "alice  ▶ claimed #1 Fix the even median" in out and "bob    ▶ claimed #2 Test an empty text" in out
    assert "alice  ▶ claimed #3 Report to the lead" in out
    # 2. the project's hooks sent work back: a failing test, a task left in progress
    assert "TaskCompleted hook `python .claude/hooks/tests_pass.py`: blocked" in out and "2 != 2.5" in out
    assert "Task #1 was not marked completed" in out
    assert "TeammateIdle hook `python .claude/hooks/finish_first.py`: blocked" in out
    assert 'You still own #2 "Test an empty text", in progress.' in out
    # 3. each stopped after the idle timeout and told the lead; nobody was left to stop at exit
    assert "bob    ■ stopped: idle for 1 s with no mail and no ready task" in out
    assert "alice  ■ stopped: idle for 1 s with no mail and no ready task" in out
    assert out.count("I stopped, idle for 1 s") == 2 and out.count("■ stopped  —") == 2
    assert "3 tasks: 3 completed" in out and "at exit" not in out
