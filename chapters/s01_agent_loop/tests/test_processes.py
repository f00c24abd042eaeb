"""The process table after the agent exits: nothing a tool started is left running, whether the
agent ends normally, by SIGTERM, by SIGHUP, or (Linux) by SIGKILL; `setsid` and double forks too."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from s01_agent_loop.cli.testing import tagged, wait_until
from s01_agent_loop.scripted import ScriptedServer, step

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the Linux process table")

ESCAPES = "setsid sleep 300 & (setsid sleep 301 &) & sleep 302 &"




def agent(tmp_path, command: str, tag: str, server: ScriptedServer) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env |= {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url, "HARNESS_NO_DOTENV": "1", "TEST_TAG": tag}
    return subprocess.Popen([sys.executable, "-m", "s02_tool_use", "-q", "go"], cwd=tmp_path, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)




def test_a_normal_exit_leaves_nothing_running(tmp_path):
    tag = uuid.uuid4().hex
    script = [step(tool_use=[{"name": "bash", "input": {"command": f"{ESCAPES} echo started"}}]),
              step(text="Done.", expect={"tool_result_contains": "stopped when it finished"})]
    with ScriptedServer(script) as server:
        process = agent(tmp_path, "", tag, server)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert wait_until(lambda: tagged(tag) == [], 5), tagged(tag)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=["TERM", "HUP", "KILL"])
def test_a_signal_to_the_agent_stops_what_its_tools_started(tmp_path, signum):
    tag = uuid.uuid4().hex
    script = [step(tool_use=[{"name": "bash", "input": {"command": f"{ESCAPES} sleep 303"}}]), step(text="Done.")]
    with ScriptedServer(script) as server:
        process = agent(tmp_path, "", tag, server)
        started = wait_until(lambda: any("sleep 303" in line for line in tagged(tag)), 30)
        assert started, process.stderr.read1().decode() if process.poll() is not None else "no command seen"
        assert wait_until(lambda: sum("sleep 30" in line for line in tagged(tag)) >= 4, 5)
        process.send_signal(signum)
        process.wait(timeout=30)
    if signum != signal.SIGKILL:
        assert process.returncode == 128 + signum
        assert f"stopped by {signal.Signals(signum).name}" in process.stderr.read().decode()
    assert wait_until(lambda: tagged(tag) == [], 10), tagged(tag)
