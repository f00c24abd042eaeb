"""`full --demo` end to end, as a newcomer runs it: one scripted session through most chapters, with
the real SDK, tools, hooks, background job and MCP server. One run, then one check per capability,
each on what really happened: the screen, the scratch project kept with --keep, the process table."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from s01_agent_loop.cli.demo import SAMPLE_PROJECT
from s01_agent_loop.cli.testing import run_chapter, tagged, wait_until

linux = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the Linux process table")


class Demo:
    """One run of `full --demo --keep`: its screen, and the scratch project it kept."""

    def __init__(self, result: subprocess.CompletedProcess, tag: str):
        self.result = result
        self.tag = tag
        self.out = result.stdout
        self.flat = " ".join(result.stdout.split())  # the terminal's wrapping undone
        kept = re.search(r"the scratch project is kept at (\S+)", result.stderr)
        self.project = Path(kept.group(1)) if kept else None


@linux
def test_the_demo_uses_each_capability_for_real_and_leaves_no_process(tmp_path):
    # one test, not one per check: pytest-xdist would play the demo once per worker
    tag = f"full-demo-{uuid.uuid4().hex[:8]}"
    # TEST_TAG reaches what the harness starts (hooks, the background job); the MCP server gets only
    # what .mcp.json passes it, WORDSTATS_NOTE
    result = run_chapter("full", "--demo", "--keep", cwd=tmp_path, env={"TEST_TAG": tag, "WORDSTATS_NOTE": tag})
    demo = Demo(result, tag)
    try:
        for check in CHECKS:
            check(demo)
    finally:
        if demo.project is not None:
            shutil.rmtree(demo.project, ignore_errors=True)


# --- the checks, in the order the demo shows them ---------------------------------------------


def it_plays_to_the_end_and_says_what_is_scripted(demo: Demo):
    assert demo.result.returncode == 0, demo.result.stderr + demo.out
    # the failing test's own traceback is tool output, indented; a crash of the harness is not
    assert "Traceback" not in demo.result.stderr
    assert not any(line.startswith("Traceback") for line in demo.out.splitlines())
    assert demo.out.startswith("full · the integrated agent\n")
    assert ("DEMO: a scripted model plays 'full: the whole harness'. Its words are written in advance; the SDK, "
            "the loop and the tools are real") in demo.flat
    assert "skills: skipped" not in demo.flat  # full's overlay completes s05's broken-on-purpose skill
    assert demo.project is not None and demo.project.is_dir()


def the_plan_is_on_the_task_board_and_done(demo: Demo):
    assert "Task #3 created: Run the suite and clean up" in demo.out
    tasks = sorted((demo.project / ".harness" / "tasks").glob("*.json"))
    assert [path.name for path in tasks] == ["1.json", "2.json", "3.json"]
    assert all('"status": "completed"' in path.read_text(encoding="utf-8") for path in tasks)
    board = demo.out[demo.out.index("› /tasks"):].splitlines()
    assert board[1] == "3 tasks: 3 completed" and board[2].endswith("✔ #1 Find why test_median_even fails")


def an_explore_subagent_searches_and_reports(demo: Demo):
    assert "▸ Task(Explore): find the median bug" in demo.out
    assert "◂ Explore done: 3 model calls, 3 tool calls" in demo.out


def the_project_skill_is_loaded(demo: Demo):
    assert "Loaded the project skill 'python-testing'" in demo.out


def the_bug_is_fixed_and_the_suite_passes(demo: Demo):
    stats = (demo.project / "wordstats" / "stats.py").read_text(encoding="utf-8")
    assert "return (lengths[middle - 1] + lengths[middle]) / 2" in stats
    run = subprocess.run([sys.executable, "-m", "unittest"], cwd=demo.project, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and "Ran 5 tests" in run.stderr, run.stderr


def a_pretooluse_hook_blocks_the_edit_to_the_tests(demo: Demo):
    assert ("Blocked by the PreToolUse[edit_file|write_file] hook `python .claude/hooks/protect_tests.py`: "
            "tests/test_stats.py: tests/ is read-only in this project.") in demo.flat
    kept = (demo.project / "tests" / "test_stats.py").read_text(encoding="utf-8")
    assert kept == (SAMPLE_PROJECT / "tests" / "test_stats.py").read_text(encoding="utf-8")


def a_deny_rule_refuses_rm(demo: Demo):
    assert "✗ permission denied: the rule Bash(rm:*) in .claude/settings.json" in demo.out


def the_memory_is_saved(demo: Demo):
    memory = demo.project / ".harness" / "memory"
    saved = (memory / "tests-are-read-only.md").read_text(encoding="utf-8")
    assert "type: project" in saved and "a PreToolUse hook refuses every edit under it" in saved
    index = (memory / "MEMORY.md").read_text(encoding="utf-8")
    assert "[tests-are-read-only](tests-are-read-only.md) (project)" in index


def the_background_suite_is_announced_at_once(demo: Demo):
    ended = next(line for line in demo.out.splitlines() if " ended: exit code 0 after " in line)
    assert ended.startswith("✔ bg-") and ended.endswith(" · python -m unittest -v")
    job = ended.split()[1]
    # while the model was at work: after the reply that started the clean-up, before the next one
    assert demo.out.index("While it runs, the clean-up") < demo.out.index(ended) < demo.out.index("How is the suite")
    assert f"↳ the model is told: {job} ended" in demo.out


def the_mcp_server_counts_the_words_in_a_read_started_mid_stream(demo: Demo):
    assert "mcp: wordstats connected" in demo.out and "texts/lighthouse.txt: 59 words, 9 lines" in demo.out
    assert "2 of 2 began while the reply was still streaming" in demo.flat  # s20's start on a slow stream


def compact_keeps_a_transcript_and_the_session_goes_on(demo: Demo):
    compacted = re.search(r"✂ compacted: [\d,]+ → [\d,]+ tokens \(transcript saved to (\S+)\)", demo.flat)
    assert compacted is not None and (demo.project / compacted.group(1)).is_file()
    assert "Nothing from the plan: the board's three tasks are done." in demo.flat


def cost_ends_the_session(demo: Demo):
    after = demo.out[demo.out.index("› /cost"):]
    assert "unknown command" not in after and len(after.strip().splitlines()) > 1


def no_process_is_left(demo: Demo):
    assert wait_until(lambda: not tagged(demo.tag), 10), tagged(demo.tag)
    assert wait_until(lambda: not tagged(demo.tag, "WORDSTATS_NOTE"), 10), tagged(demo.tag, "WORDSTATS_NOTE")


CHECKS = [
    it_plays_to_the_end_and_says_what_is_scripted, the_plan_is_on_the_task_board_and_done,
    an_explore_subagent_searches_and_reports, the_project_skill_is_loaded, the_bug_is_fixed_and_the_suite_passes,
    a_pretooluse_hook_blocks_the_edit_to_the_tests, a_deny_rule_refuses_rm, the_memory_is_saved,
    the_background_suite_is_announced_at_once, the_mcp_server_counts_the_words_in_a_read_started_mid_stream,
    compact_keeps_a_transcript_and_the_session_goes_on, cost_ends_the_session, no_process_is_left,
]
