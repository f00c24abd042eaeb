"""s14 end to end: the demo; kill -9 between turns, then a restart that fires the durable job; and a
fire while the REPL waits in a real terminal (tmux), with a half-typed line kept.

The scheduler's clock is set with the hidden `--clock-start`, so a job falls due seconds after the
start; the tests poll the output (a real process, a real terminal) with a deadline, they do not
drive time with sleeps.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from s01_agent_loop.cli.testing import run_chapter
from s14_cron_scheduler import CronJob


def test_demo_a_prompt_scheduled_for_ten_fires_and_runs_as_a_turn():
    result = run_chapter("s14_cron_scheduler", "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "the scheduler's clock is set: it starts at 09:40:00 when first read, running 600 times fast" in out
    assert "Recurring: it expires" in out and "09:40:00 (7 days)" in out  # the clock began with the job
    assert "● CronCreate" in out and "Durable: kept in .harness/scheduled_tasks.json" in out
    job_id = out.split("Scheduled ", 1)[1][:8]
    fired = out.index(f"⏰ cron {job_id} (0 10 * * *), due 10:")
    assert out.index("(the user types nothing for up to 15 s)") < fired  # it fired while the REPL was idle
    assert out.index("› Run the tests (python -m unittest)", fired) > fired
    assert "Morning check: one test fails, test_median_even" in out
    listings = [line for line in out.splitlines() if line.startswith("  next ")]
    assert len(listings) == 2 and listings[0][7:10] != listings[1][7:10]  # after the fire: tomorrow
    assert "Traceback" not in result.stderr


# --- real processes -------------------------------------------------------------------------------


def child_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_") and k not in ("MODEL_ID", "COLUMNS")}
    return env | {"HARNESS_NO_DOTENV": "1", "PYTHONIOENCODING": "utf-8", "HOME": str(home)}


class Child:
    """`python -m s14_cron_scheduler ...` with piped stdin; its output collected by a thread."""

    def __init__(self, cwd: Path, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "s14_cron_scheduler", *args], cwd=cwd, env=child_env(cwd) | {"COLUMNS": "120"},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
        self.out = ""
        self.changed = threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for line in self.process.stdout:
            with self.changed:
                self.out += line
                self.changed.notify_all()

    def type(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, text: str, timeout: float = 30) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: text in self.out, timeout):
                raise AssertionError(f"{text!r} never came; the output:\n{self.out}")


def write_scenario(folder: Path, name: str, steps: str) -> str:
    (folder / name).write_text(f"title: {name}\nsteps:\n{steps}", encoding="utf-8")
    return name


def test_kill_9_between_turns_keeps_the_durable_job_and_a_restart_fires_it(tmp_path):
    create = write_scenario(tmp_path, "create.yaml", """
  - model:
      tool_use: [{name: CronCreate, input: {cron: "0 10 * * *", prompt: "run the nightly check", durable: true}}]
  - model: {text: "Scheduled it.", expect: {tool_result_contains: "Durable: kept in"}}
""")
    first = Child(tmp_path, "--scenario", create, "--clock-start", "09:00")
    try:
        first.type("check things every morning at 10")
        first.wait_for("Scheduled it.")
        first.process.send_signal(signal.SIGKILL)  # between turns: the REPL waits for the next line
        assert first.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        first.process.kill()
    jobs = json.loads((tmp_path / ".harness" / "scheduled_tasks.json").read_text(encoding="utf-8"))["jobs"]
    assert len(jobs) == 1
    job = CronJob.model_validate(jobs[0])
    assert (job.cron, job.prompt, job.durable, job.last_fired) == ("0 10 * * *", "run the nightly check", True, None)
    assert not [p.name for p in (tmp_path / ".harness").iterdir() if p.name.endswith(".tmp")]

    fire = write_scenario(tmp_path, "fire.yaml", """
  - model: {text: "Nightly check done.", expect: {last_user_contains: "run the nightly check"}}
""")
    start = job.next_due() - timedelta(seconds=2)  # the restarted agent's clock: 2 s before the job is due
    second = Child(tmp_path, "--scenario", fire, "--clock-start", f"{start:%H:%M:%S}")
    try:
        second.wait_for("Nightly check done.")
        second.process.stdin.close()  # end of input: the REPL ends
        assert second.process.wait(timeout=20) == 0, second.out
    finally:
        second.process.kill()
    assert f"⏰ cron {job.id} (0 10 * * *)" in second.out and "missed" not in second.out
    after = CronJob.model_validate(json.loads((tmp_path / ".harness" / "scheduled_tasks.json").read_text())["jobs"][0])
    assert after.last_fired == job.next_cron_time()


# --- a real terminal ------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_a_fire_while_the_repl_waits_in_a_terminal_keeps_the_half_typed_line(tmp_path):
    job = CronJob(id="c0ffee00", cron="0 10 * * *", prompt="check the build", durable=True,
                  created_at=datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0))
    (tmp_path / ".harness").mkdir()
    (tmp_path / ".harness" / "scheduled_tasks.json").write_text(json.dumps({"jobs": [job.model_dump(mode="json")]}))
    scenario = write_scenario(tmp_path, "s.yaml", """
  - model: {text: "The build is green.", expect: {last_user_contains: "check the build"}}
  - model: {text: "You asked for git status.", expect: {last_user_contains: "git status"}}
""")
    # due 10 s after the agent starts, no prompt typed: time enough to reach the prompt and type, on a loaded machine
    start = job.next_due() - timedelta(seconds=10)
    command = shlex.join([sys.executable, "-m", "s14_cron_scheduler", "--scenario", scenario,
                          "--clock-start", f"{start:%H:%M:%S}"])
    tmux = ["tmux", "-L", f"s14-test-{os.getpid()}", "-f", os.devnull]
    env = child_env(tmp_path)
    env.pop("TMUX", None)

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "s14"], capture_output=True, text=True).stdout

    def wait_for(text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (shown := screen()):
                return shown
            time.sleep(0.1)  # polling a real terminal; the scheduler's time is set by --clock-start
        raise AssertionError(f"{text!r} never showed; the screen:\n{screen()}")

    subprocess.run([*tmux, "new-session", "-d", "-s", "s14", "-x", "100", "-y", "30", "-c", str(tmp_path),
                    f"cd {shlex.quote(str(tmp_path))} && {command}"], env=env, check=True)
    try:
        wait_for("Ctrl-D or /exit quits")
        subprocess.run([*tmux, "send-keys", "-t", "s14", "-l", "git sta"], check=True)
        typed = wait_for("› git sta")
        assert "⏰ cron" not in typed  # typed before the fire
        shown = wait_for("The build is green.")
        lines = [line for line in shown.splitlines() if line.strip()]
        assert any(line.startswith("⏰ cron c0ffee00 (0 10 * * *), due 10:") for line in lines)
        assert lines[-1].rstrip() == "› git sta"  # the half-typed line, back on the new prompt
        subprocess.run([*tmux, "send-keys", "-t", "s14", "-l", "tus"], check=True)
        subprocess.run([*tmux, "send-keys", "-t", "s14", "Enter"], check=True)
        wait_for("You asked for git status.")
        subprocess.run([*tmux, "send-keys", "-t", "s14", "C-d"], check=True)
        deadline = time.monotonic() + 10
        while subprocess.run([*tmux, "has-session", "-t", "s14"], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, f"the agent did not exit at Ctrl-D:\n{screen()}"
            time.sleep(0.1)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
