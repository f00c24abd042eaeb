"""Temp files of atomic writes whose process was killed (kill -9) do not pile up under .harness/:
the first use of the state folder in a process removes the stale ones (s02's `state_dir`)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step
from s02_tool_use.state import STALE_TEMP_SECONDS, remove_stale_temp_files, state_dir


def leftover(path: Path, age: float) -> Path:
    """A file as a killed writer left it, `age` seconds ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("half a memo", encoding="utf-8")
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_only_stale_files_named_like_write_atomic_temp_files_are_removed(tmp_path):
    harness = tmp_path / ".harness"
    old = STALE_TEMP_SECONDS + 60
    stale = [leftover(harness / "memory" / ".note-2.md.b8b44550.tmp", old),
             leftover(harness / "tool-outputs" / "deep" / ".out.txt.0123abcd.tmp", old)]
    kept = [leftover(harness / "memory" / ".note-3.md.c0ffee00.tmp", 60),  # young: maybe a write in progress
            leftover(harness / "memory" / ".keep.tmp", old),  # not write_atomic's name
            leftover(harness / "memory" / "note.md.b8b44550.tmp", old),
            leftover(harness / "memory" / ".note.md.B8B44550.tmp", old),
            leftover(harness / "memory" / "note.md", old),
            leftover(harness / "worktrees" / "fix" / ".draft.py.b8b44550.tmp", old)]  # the user's, in a worktree
    (harness / "worktrees" / "fix" / ".git").write_text("gitdir: /elsewhere", encoding="utf-8")
    assert sorted(remove_stale_temp_files(harness)) == sorted(stale)
    assert [p.exists() for p in stale + kept] == [False] * len(stale) + [True] * len(kept)


def test_the_first_use_of_the_state_folder_in_a_process_cleans_it_later_ones_do_not_walk_again(tmp_path):
    first = leftover(tmp_path / ".harness" / "transcripts" / ".t.jsonl.aaaaaaaa.tmp", 2 * STALE_TEMP_SECONDS)
    assert state_dir(tmp_path) == tmp_path / ".harness"
    assert not first.exists()
    second = leftover(tmp_path / ".harness" / "transcripts" / ".t.jsonl.bbbbbbbb.tmp", 2 * STALE_TEMP_SECONDS)
    state_dir(tmp_path)
    assert second.exists()  # cheap: one walk per folder per process


def test_the_temp_file_of_a_write_killed_mid_way_is_what_is_cleaned(tmp_path):
    target = tmp_path / ".harness" / "memory" / "note.md"
    target.parent.mkdir(parents=True)
    # a child process that is killed (SIGKILL) just before write_atomic's rename: no cleanup runs
    kill_before_rename = ("import os, signal, sys; from pathlib import Path; from s02_tool_use.files import "
                          "write_atomic; os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL); "
                          "write_atomic(Path(sys.argv[1]), 'a memo')")
    done = subprocess.run([sys.executable, "-c", kill_before_rename, str(target)], timeout=60)
    assert done.returncode == -signal.SIGKILL
    [left] = target.parent.iterdir()
    assert left.name.startswith(".note.md.") and left.name.endswith(".tmp")
    assert remove_stale_temp_files(tmp_path / ".harness") == []  # young: it may be a write in progress
    os.utime(left, (time.time() - 2 * STALE_TEMP_SECONDS,) * 2)
    assert remove_stale_temp_files(tmp_path / ".harness") == [left]


def test_a_session_that_saves_a_memory_removes_what_a_killed_one_left(tmp_path):
    stale = leftover(tmp_path / ".harness" / "memory" / ".note-2.md.b8b44550.tmp", 2 * STALE_TEMP_SECONDS)
    young = leftover(tmp_path / ".harness" / "memory" / ".note-3.md.0badf00d.tmp", 5)
    save = {"action": "save", "name": "note-2", "type": "project", "content": "The deadline is 2026-03-01.",
            "description": "The release deadline"}
    script = [step(tool_use=[{"name": "memory", "input": save}]),
              step(text="Noted.", expect={"tool_result_contains": "Saved new memory 'note-2'"})]
    with ScriptedServer(script) as server:
        env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s09_memory_system", "-q", "Remember the deadline.", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (0, "Noted.\n"), result.stderr
    server.assert_done()
    assert not stale.exists() and young.exists()
    assert sorted(p.name for p in stale.parent.iterdir()) == [".note-3.md.0badf00d.tmp", "MEMORY.md", "note-2.md"]
