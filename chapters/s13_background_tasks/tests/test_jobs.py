"""One background job on its own: real commands in tmp_path, the watcher's callback, the output file,
its cap and the reads of it, timeouts and stops that kill the whole tree."""

import os
import threading

import pytest

from s01_agent_loop.cli.testing import wait_until
from s01_agent_loop.processes import marked
from s13_background_tasks.jobs import Job, duration, start_job

posix = pytest.mark.skipif(os.name != "posix", reason="process groups and /proc are POSIX")


class Ends:
    """An `on_end` that records the jobs that ended and lets a test wait for one."""

    def __init__(self):
        self.jobs: list[Job] = []
        self.event = threading.Event()
        self.thread = None

    def __call__(self, job: Job) -> None:
        self.jobs.append(job)
        self.thread = threading.current_thread().name
        self.event.set()


def test_the_watcher_records_the_end_and_calls_back_from_its_own_thread(tmp_path):
    ends = Ends()
    job = start_job("echo out; echo err >&2; exit 3", tmp_path, None, ends)
    assert ends.event.wait(10)
    assert ends.jobs == [job] and ends.thread == f"watch-{job.id}"
    assert (job.status, job.exit_code, job.exit_text) == ("failed", 3, "3")
    assert job.ending().startswith("exit code 3 after ")
    assert job.path.read_text() == "out\nerr\n"  # stdout and stderr, together, in the file
    assert job.path.parent == tmp_path / ".harness" / "background" and job.shown == f".harness/background/{job.id}.out"
    assert job.tail() == "out\nerr" and job.size == 8


def test_ids_are_short_random_and_each_has_its_own_file(tmp_path):
    ends = Ends()
    jobs = [start_job("true", tmp_path, None, ends) for _ in range(5)]
    for job in jobs:
        assert job.done.wait(10)
    assert len({job.id for job in jobs}) == 5
    assert all(len(job.id) == 9 and job.id.startswith("bg-") for job in jobs)
    assert sorted(p.name for p in (tmp_path / ".harness" / "background").iterdir()) == sorted(
        f"{job.id}.out" for job in jobs)


def test_read_new_gives_only_what_came_since_the_last_read(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs a FIFO")
    os.mkfifo(tmp_path / "go")
    job = start_job("echo first; read line < go; echo second", tmp_path, None, Ends())
    assert wait_until(lambda: job.size == 6)
    assert job.read_new() == "first\n"
    assert job.read_new() == ""
    with open(tmp_path / "go", "w") as fifo:
        fifo.write("x\n")
    assert job.done.wait(10)
    assert job.read_new() == "second\n"


def test_a_long_output_is_read_from_its_end_and_says_what_was_skipped(tmp_path):
    job = start_job("seq 1 100000", tmp_path, None, Ends())
    assert job.done.wait(10)
    text = job.read_new(limit=1000)
    first, _, rest = text.partition("\n")
    assert first.startswith("[... ") and f"bytes skipped: the whole output is in {job.shown}" in first
    assert rest.endswith("99999\n100000\n") and len(rest) == 1000
    assert job.tail(lines=3) == "99998\n99999\n100000"


def test_no_output_is_said_so(tmp_path):
    job = start_job("true", tmp_path, None, Ends())
    assert job.done.wait(10)
    assert (job.tail(), job.status, job.exit_text) == ("(no output)", "done", "0")


@posix
def test_a_timeout_kills_the_whole_tree(tmp_path):
    job = start_job("sleep 300 & sleep 301", tmp_path, 0.3, Ends())
    assert job.done.wait(10)
    assert job.status == "timed out after 0.3 s" and job.exit_text == "SIGKILL"
    assert marked(job.process.tree) == []


@posix
def test_stop_kills_the_tree_and_the_watcher_records_why(tmp_path):
    ends = Ends()
    job = start_job("sleep 300 & sleep 301 & wait", tmp_path, None, ends)
    assert wait_until(lambda: len(marked(job.process.tree)) >= 3)  # the shell and both sleeps
    assert job.stop("stopped") is True
    assert ends.event.wait(10) and job.status == "stopped"
    assert marked(job.process.tree) == []
    assert job.stop("stopped") is False  # it has ended: nothing to stop


@posix
def test_what_the_shell_leaves_running_is_stopped_when_it_exits(tmp_path):
    job = start_job("sleep 300 & echo started", tmp_path, None, Ends())
    assert job.done.wait(10)
    assert job.left_running and "the processes it left running were stopped with it" in job.ending()
    assert marked(job.process.tree) == []


@pytest.mark.parametrize(("seconds", "shown"), [(0.42, "0.4 s"), (12.4, "12 s"), (185, "3 min 05 s"),
                                                (7260, "2 h 01 min")])
def test_durations_read_well(seconds, shown):
    assert duration(seconds) == shown


def test_runtime_uses_the_clock_it_was_given(tmp_path):
    now = [100.0]
    job = start_job("sleep 300", tmp_path, None, Ends(), clock=lambda: now[0])
    now[0] = 161.0
    assert job.running and duration(job.runtime) == "1 min 01 s"
    job.stop("stopped")
    assert job.done.wait(10)
    now[0] = 500.0
    assert job.runtime == 61.0  # ended: the runtime stops counting

