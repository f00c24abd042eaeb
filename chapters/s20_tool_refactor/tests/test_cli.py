"""End to end: the demo and `-q --scenario`, on the command line as a learner runs them, with the
real SDK against the scripted model on loopback and s19's MCP server as a real process."""

from __future__ import annotations

import shutil
import uuid

from s01_agent_loop.cli.demo import SAMPLE_PROJECT
from s01_agent_loop.cli.testing import run_chapter, tagged, wait_until

SCENARIO = """title: three reads and a test run
steps:
  - model:
      block_delay: 0.2
      tool_use:
        - {name: read_file, input: {path: README.md}}
        - {name: grep, input: {pattern: "def median", path: wordstats}}
        - {name: bash, input: {command: "python -m unittest tests.test_stats.StatsTest.test_median_odd"}}
        - {name: glob, input: {pattern: "tests/*.py"}}
  - model:
      expect: {tool_result_contains: "tests/test_stats.py"}
      text: "Read, searched, tested (OK), listed."
"""


def test_the_demo_streams_five_reads_in_at_once_and_leaves_no_process(tmp_path):
    tag = f"s20-{uuid.uuid4().hex[:8]}"
    result = run_chapter("s20_tool_refactor", "--demo", cwd=tmp_path, env={"WORDSTATS_NOTE": tag, "COLUMNS": "80"})
    assert result.returncode == 0, result.stderr + result.stdout
    out = " ".join(result.stdout.split())  # the 80-column wrapping undone
    assert "scripted" in out and "mcp: wordstats connected" in out
    assert "5 of 5 began while the reply was still streaming" in out and "5 had ended by then" in out
    assert "texts/lighthouse.txt: 59 words, 9 lines" in out and "FAIL: test_median_even" in out
    # the test run waits for the read before it, and the reads after it wait for it
    assert out.index('● grep pattern="median"') < out.index("test_stats.py:17:") < out.index("● bash python -m unittest")
    assert out.index("FAIL: test_median_even") < out.index('● read_file path="wordstats/__main__.py"')
    assert "Traceback (most recent call last): File \"<" not in out and "test_median_even fails" in out
    assert wait_until(lambda: not tagged(tag, "WORDSTATS_NOTE"), 10)


def test_q_with_a_scenario_answers_on_stdout(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "reads.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run_chapter("s20_tool_refactor", "-q", "look around", "--scenario", "reads.yaml",
                         "--permission-mode", "bypassPermissions", cwd=project)
    assert (result.returncode, result.stdout) == (0, "Read, searched, tested (OK), listed.\n"), result.stderr
    log = " ".join(result.stderr.split())
    assert "2 of 3 began while the reply was still streaming" in log  # read_file and grep; glob waits for bash
    assert log.index("wordstats/stats.py:21:") < log.index("● bash") < log.index("Ran 1 test") < log.index("● glob")
