"""The bash tool: real commands in tmp_path."""

import os
import time

import pytest

from s01_agent_loop.shell import MAX_OUTPUT_CHARS, cap, run_bash


def test_runs_in_the_workdir_and_merges_stderr(tmp_path):
    (tmp_path / "marker.txt").write_text("x")
    out = run_bash("ls; echo oops >&2", tmp_path)
    assert "marker.txt" in out
    assert "oops" in out


def test_empty_output_is_reported():
    assert run_bash("true", os.getcwd()) == "(no output)"


def test_exit_code_is_reported(tmp_path):
    assert run_bash("echo hi; exit 3", tmp_path) == "hi\n[exit code 3]"


def test_invalid_utf8_is_replaced_not_fatal(tmp_path):
    out = run_bash(r"printf 'ok \377\376 end'", tmp_path)
    assert out.startswith("ok ") and out.endswith(" end")
    assert "\ufffd" in out


def test_long_output_is_capped_with_a_note(tmp_path):
    out = run_bash("python3 -c \"print('a' * 100000)\"", tmp_path)
    assert len(out) < MAX_OUTPUT_CHARS + 200
    assert "characters cut" in out


def test_cap_keeps_head_and_tail():
    text = "HEAD" + "x" * 50 + "TAIL"
    capped = cap(text, limit=20)
    assert capped.startswith("HEAD") and capped.endswith("TAIL")
    assert "38 characters cut" in capped


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_timeout_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    start = time.monotonic()
    out = run_bash(f"(sleep 30 & echo $! > {pidfile}; wait)", tmp_path, timeout=1)
    assert time.monotonic() - start < 10
    assert "timed out after 1 s" in out
    child = int(pidfile.read_text())
    time.sleep(0.2)
    assert not alive(child)


def alive(pid: int) -> bool:
    """True if the process exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
