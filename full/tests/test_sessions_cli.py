"""Sessions from the command line, in child processes: a bad id or no session is one line and exit 2;
kill -9 at random moments of a scripted REPL session, then `--continue`: every turn completed before
the kill is in the next request, which the scripted model accepts."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

from s01_agent_loop.cli.testing import run_chapter, tagged, wait_until

TURNS = 4
TRIALS = 20
AT_ONCE = 4  # children at a time


def scenario(path, steps, title="sessions") -> str:
    path.write_text(yaml.safe_dump({"title": title, "steps": steps}), encoding="utf-8")
    return str(path)


def repl_session(folder) -> str:
    steps = []
    for turn in range(1, TURNS + 1):
        steps += [{"model": {"text": f"Turn {turn}: looking.", "delay": 0.1,
                             "tool_use": [{"name": "bash", "input": {"command": f"echo out{turn}"}}]}},
                  {"model": {"text": f"done {turn}", "delay": 0.1}}]
    return scenario(folder / "repl.yaml", steps)


def continue_session(folder) -> str:
    return scenario(folder / "continue.yaml", [{"model": {"text": "Resumed and accepted.",
                                                          "expect": {"last_user_contains": "go on"}}}])


def child_env(tag: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_") and k != "MODEL_ID"}
    return env | {"HARNESS_NO_DOTENV": "1", "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1",
                  "COLUMNS": "200", "TEST_TAG": tag}


def test_a_bad_id_no_session_and_no_terminal_are_one_line_and_exit_2(tmp_path):
    script = continue_session(tmp_path)  # a scripted model, so the run gets as far as the session
    done = run_chapter("full", "--continue", "--scenario", script, "-q", "hi", "--workdir", str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "--continue: no saved session in" in done.stderr
    # one saved session, then the ways to name a wrong one
    run = run_chapter("full", "--scenario", script, "-q", "go on", "--workdir", str(tmp_path))
    assert run.returncode == 0, run.stderr
    [session_id] = [path.stem for path in (tmp_path / ".harness" / "sessions").glob("*.jsonl")]
    for argv, said in ((["--resume", "nope"], "--resume: no session 'nope'"),
                       (["-r"], "--resume needs a session id with no terminal to pick one on: --resume ID")):
        done = run_chapter("full", *argv, "--scenario", script, "-q", "hi", "--workdir", str(tmp_path))
        assert done.returncode == 2 and done.stderr.strip().count("\n") == 0, done.stderr
        assert said in done.stderr and session_id[:8] in done.stderr and "Traceback" not in done.stderr
    done = run_chapter("full", "--resume", session_id[:6], "--scenario", script, "-q", "go on",
                       "--workdir", str(tmp_path))
    assert done.returncode == 0 and "Resumed and accepted." in done.stdout, done.stderr


def trial(number: int, folder, moment: tuple[str, float], first: str, then: str) -> dict:
    """One kill -9 `moment` into the session (`delay` seconds after a line of its output shows),
    then --continue."""
    marker, delay = moment
    workdir = folder / f"trial{number}"
    workdir.mkdir()
    tag = f"sessions-kill-{os.getpid()}-{number}"
    prompts = "".join(f"prompt {turn}\n" for turn in range(1, TURNS + 1))
    child = subprocess.Popen([sys.executable, "-m", "full", "--scenario", first, "--workdir",
                              str(workdir), "--permission-mode", "bypassPermissions"], cwd=workdir,
                             env=child_env(tag), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    child.stdin.write(prompts.encode())
    child.stdin.close()
    output, ready = [], threading.Event()

    def read():
        for line in child.stdout:
            output.append(line.decode("utf-8", "replace"))
            if marker in output[-1]:  # subtle: a moment in the session's progress, not on the clock,
                ready.set()  # so a loaded machine still kills mid-session
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.wait(60)
    time.sleep(delay)
    exited = child.poll() is not None
    child.send_signal(signal.SIGKILL)
    child.wait()
    reader.join(10)
    text = "".join(output)
    # turn k was complete when turn k+1's first reply showed (the REPL runs one turn at a time); all
    # were when the session ended on its own
    completed = [turn for turn in range(1, TURNS + 1)
                 if (exited and child.returncode == 0) or f"Turn {turn + 1}: looking." in text]
    resumed = subprocess.run([sys.executable, "-m", "full", "--continue", "--scenario", then,
                              "-q", "go on", "--workdir", str(workdir), "--trace"], cwd=workdir, env=child_env(tag),
                             capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120)
    traces = list((workdir / ".harness" / "traces").glob("*.jsonl"))
    requests = [record["request"] for path in traces for line in path.read_text(encoding="utf-8").splitlines()
                if (record := json.loads(line))["kind"] == "request"]
    return {"number": number, "delay": f"{delay:.2f} s after {marker!r}", "completed": completed, "returncode": resumed.returncode,
            "stdout": resumed.stdout, "stderr": resumed.stderr, "requests": requests, "tag": tag}


def test_kill_9_at_random_moments_then_continue_keeps_every_completed_turn(tmp_path):
    rng = random.Random(20261126)
    # a random line of the session's output (a reply before its tool runs, or a turn's answer), then
    # a random delay of up to about one model call (each reply takes 0.1 s to come)
    markers = [f"{text} {turn}" for turn in range(1, TURNS + 1) for text in ("Turn", "done")]
    moments = [(rng.choice(markers), rng.uniform(0, 0.25)) for _ in range(TRIALS)]
    first, then = repl_session(tmp_path), continue_session(tmp_path)
    started = time.monotonic()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = list(pool.map(lambda n: trial(n, tmp_path, moments[n], first, then), range(TRIALS)))
    seconds = time.monotonic() - started
    kinds = {"none": 0, "some": 0, "all": 0}
    for result in results:
        completed, where = result["completed"], f"trial {result['number']} (kill {result['delay']})"
        if result["returncode"] == 2:  # killed before the first prompt was saved: nothing to continue
            assert not completed and "no saved session" in result["stderr"], where
            kinds["none"] += 1
            continue
        assert result["returncode"] == 0 and "Resumed and accepted." in result["stdout"], (where, result["stderr"])
        [request] = result["requests"]
        sent = json.dumps(request["messages"])
        for turn in completed:  # its prompt, its tool's output and its answer
            assert all(part in sent for part in (f"prompt {turn}", f"out{turn}", f"done {turn}")), (where, turn)
        assert request["messages"][-1]["role"] == "user" and "go on" in json.dumps(request["messages"][-1])
        kinds["all" if len(completed) == TURNS else "some" if completed else "none"] += 1
    print(f"\n{TRIALS} kill -9 trials in {seconds:.1f} s: {kinds}; completed turns per trial: "
          f"{[len(result['completed']) for result in results]}")
    assert kinds["some"] >= 3  # the kills did land in the middle of sessions
    assert wait_until(lambda: not any(tagged(result["tag"]) for result in results), 10)

