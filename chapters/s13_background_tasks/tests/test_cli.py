"""s13 end to end: the demo, and the process table after the agent exits (end of input, SIGTERM):
nothing a background command started is left, `sleep 300 &` included."""

import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from s01_agent_loop.cli.testing import run_chapter, tagged, wait_until

linux = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the Linux process table")

SCENARIO = """title: leave something running
steps:
  - model:
      tool_use: [{name: bash, input: {command: "sleep 300 & sleep 301", run_in_background: true}}]
  - model:
      expect: {tool_result_contains: "Started in the background as bg-"}
      text: "It runs in the background."
"""


def test_demo_runs_the_suite_in_the_background_and_both_sides_hear_of_its_end():
    result = run_chapter("s13_background_tasks", "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    ended = next(line for line in out.splitlines() if " ended: exit code 1 after " in line)
    assert ended.startswith("✘ bg-") and ended.endswith(" · python -m unittest")
    job_id = ended.split()[1]
    # the user's line comes while the model is still at work: before its last two replies
    assert out.index(ended) < out.index("Where else is it used?") < out.index("The suite has finished")
    assert f"↳ the model is told: {job_id} ended" in out
    table = out[out.index("› /jobs"):].splitlines()
    assert table[1].split() == ["id", "command", "status", "exit", "runtime", "output"]
    assert table[2].split()[:6] == [job_id, "python", "-m", "unittest", "✘", "failed"]
    assert "Traceback" not in result.stderr






@linux
def test_at_the_end_of_input_nothing_a_background_command_started_is_left(tmp_path):
    tag = uuid.uuid4().hex
    (tmp_path / "leave.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run_chapter("s13_background_tasks", "--scenario", "leave.yaml", "--permission-mode", "bypassPermissions",
                         cwd=tmp_path, stdin="start something slow\n", env={"TEST_TAG": tag})
    assert result.returncode == 0, result.stderr
    assert "It runs in the background." in result.stdout
    assert "stopped 1 background command at exit: bg-" in " ".join(result.stdout.split())
    assert wait_until(lambda: tagged(tag) == [], 5), tagged(tag)
    assert list((tmp_path / ".harness" / "background").iterdir()) == []  # its output file went with it


@linux
def test_sigterm_stops_the_agent_and_every_background_command(tmp_path):
    tag = uuid.uuid4().hex
    (tmp_path / "leave.yaml").write_text(SCENARIO, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env |= {"HARNESS_NO_DOTENV": "1", "PYTHONIOENCODING": "utf-8", "TEST_TAG": tag}
    agent = subprocess.Popen([sys.executable, "-m", "s13_background_tasks", "--scenario", "leave.yaml",
                              "--permission-mode", "bypassPermissions"], cwd=tmp_path, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    shown: list[bytes] = []
    reader = threading.Thread(target=lambda: shown.extend(iter(agent.stdout.readline, b"")), daemon=True)
    reader.start()
    try:
        agent.stdin.write(b"start something slow\n")
        agent.stdin.flush()  # and the input stays open: the REPL waits for more
        sleeps = lambda: [line for line in tagged(tag) if line.split(" ", 1)[1].startswith("sleep 30")]  # noqa: E731
        assert wait_until(lambda: len(sleeps()) == 2, 30), tagged(tag)
        # subtle: the turn ends first (the REPL idle, the job on the books); a SIGTERM while the
        # job is being started leaves it to the reaper, with no line about it
        assert wait_until(lambda: b"It runs in the background." in b"".join(shown), 30), shown
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)  # subtle: not communicate(), which would read stdout against the reader
        reader.join(10)
        out, err = b"".join(shown), agent.stderr.read()
    finally:
        agent.kill()
    assert agent.returncode == 128 + signal.SIGTERM, err
    assert "stopped 1 background command at exit" in " ".join(out.decode().split())
    assert wait_until(lambda: tagged(tag) == [], 5), tagged(tag)
