"""s09 end to end: the demo, and two separate `-q` runs on one work dir: what the first saves, the
second's system prompt holds."""

import re
import shutil
from pathlib import Path

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step

LINE = "- [test-command](test-command.md) (feedback): Run the tests with python -m unittest -v"


def test_demo_saves_two_memories_and_the_next_session_has_them():
    demo = run_chapter("s09_memory_system", "--demo", "--keep")
    assert demo.returncode == 0, demo.stderr
    words = " ".join(demo.stdout.split())  # rich wraps long lines
    for seen in ("Saved new memory 'run-tests-verbose' (feedback)", "Saved new memory 'median-bug-issue' (project)",
                 "new conversation: the history is empty",  # /clear
                 "memory: 2 memories in the system prompt (.harness/memory/MEMORY.md)",  # the next SessionStart
                 "test_median_even (tests.test_stats.StatsTest", "Fixed issue #12"):
        assert seen in words
    # /memory: both saved, neither in this session's prompt yet
    assert re.search(r"median-bug-issue project The median bug .* median-bug-issue\.md next session", words)
    assert re.search(r"run-tests-verbose feedback Run the tests .* run-tests-verbose\.md next session", words)
    scratch = Path(re.search(r"scratch project is kept at (\S+)", demo.stderr).group(1))
    index = (scratch / ".harness" / "memory" / "MEMORY.md").read_text(encoding="utf-8")
    shutil.rmtree(scratch)
    assert "- [median-bug-issue](median-bug-issue.md) (project): " in index


def test_a_memory_saved_in_one_run_is_in_the_next_runs_system_prompt(tmp_path):
    save = {"action": "save", "name": "test-command", "type": "feedback", "content": "Always use -v.",
            "description": "Run the tests with python -m unittest -v"}
    env = {"ANTHROPIC_API_KEY": "k"}
    first = [step(tool_use=[{"name": "memory", "input": save}],
                  expect={"tools": ["memory"], "system_contains": "(No memories yet.)"}),
             step(text="I will remember that.", expect={"tool_result_contains": "Saved new memory 'test-command'"})]
    with ScriptedServer(first) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        one = run_chapter("s09_memory_system", "-q", "Always run the tests with -v; remember it.", cwd=tmp_path,
                          env=env)
    server.assert_done()
    assert (one.returncode, one.stdout) == (0, "I will remember that.\n"), one.stderr
    second = [step(text="With -v, as you like.", expect={"system_contains": LINE, "messages_at_most": 1})]
    with ScriptedServer(second) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        two = run_chapter("s09_memory_system", "-q", "How should I run the tests?", "--permission-mode",
                          "bypassPermissions", cwd=tmp_path, env=env)
    server.assert_done()  # the check on the system prompt passed
    assert (two.returncode, two.stdout) == (0, "With -v, as you like.\n"), two.stderr
    assert "memory: 1 memory in the system prompt" in " ".join(two.stderr.split())
