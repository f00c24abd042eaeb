"""The mailbox: every message delivered exactly once, across threads and processes, also when a
sender is killed mid-write; and s12's board, shared by the same threads and processes, unchanged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter

import pytest

from s12_task_system import TaskBoard
from s15_agent_teams.mailbox import Mailbox

NAMES = [f"m{i}" for i in range(8)]
N = 500

# one member: sends N letters round-robin to the others, reading its own mailbox after every tenth
# and adding a task to the board after every hundredth; then reads until everything addressed to it
# has come (it knows how much that is)
MEMBER = """
import json, sys
from pathlib import Path
from s12_task_system import TaskBoard
from s15_agent_teams.mailbox import Mailbox

def member(folder, me, names, n, poll):
    own, board = Mailbox(folder, me), TaskBoard(folder)
    others = [name for name in names if name != me]
    boxes = {name: Mailbox(folder, name) for name in others}
    expected = sum(1 for sender in names if sender != me for i in range(n)
                   if [x for x in names if x != sender][i % (len(names) - 1)] == me)
    got = []
    for i in range(n):
        boxes[others[i % len(others)]].send(me, f"{me}:{i}")
        if i % 10 == 9:
            got += own.receive()
        if i % 100 == 99:
            board.create(f"{me} task {i // 100}")
    while len(got) < expected:
        own.bell.clear()
        if not (more := own.receive()):
            own.bell.wait(poll)
        got += more
    return [[letter.sender, letter.to, letter.text, letter.id] for letter in got]

if __name__ == "__main__":
    folder, me, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    result = member(folder, me, sys.argv[4].split(","), n, 0.02)
    (folder / f"result-{me}.json").write_text(json.dumps(result))
"""


def check(results: dict[str, list], folder) -> None:
    """Every letter sent arrived once, at its addressee, with its sender; every task has its own id."""
    received = [tuple(item) for me, letters in results.items() for item in letters]
    assert all(to == me for me, letters in results.items() for _, to, _, _ in letters)
    texts = Counter(text for _, _, text, _ in received)
    sent = {f"{name}:{i}" for name in NAMES for i in range(N)}
    assert set(texts) == sent, f"lost: {len(sent - set(texts))}"
    assert max(texts.values()) == 1, f"duplicated: {[t for t, n in texts.items() if n > 1][:5]}"
    assert all(text.startswith(sender + ":") for sender, _, text, _ in received)
    assert len({letter_id for *_, letter_id in received}) == len(received)
    tasks = TaskBoard(folder).tasks()
    assert sorted(tasks, key=int) == [str(n) for n in range(1, 8 * N // 100 + 1)]
    assert len({task.subject for task in tasks.values()}) == len(tasks)


def test_8_members_x_500_letters_in_threads_none_lost_none_twice(tmp_path):
    namespace: dict = {}
    exec(compile(MEMBER, "member", "exec"), namespace)
    results: dict[str, list] = {}

    def run(me):
        results[me] = namespace["member"](tmp_path, me, NAMES, N, 1.0)

    threads = [threading.Thread(target=run, args=(me,)) for me in NAMES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    check(results, tmp_path)


def test_8_members_x_500_letters_in_processes_none_lost_none_twice(tmp_path):
    (tmp_path / "member.py").write_text(MEMBER, encoding="utf-8")
    children = [subprocess.Popen([sys.executable, str(tmp_path / "member.py"), str(tmp_path), me, str(N),
                                  ",".join(NAMES)]) for me in NAMES]
    assert [child.wait(60) for child in children] == [0] * len(NAMES)
    check({me: json.loads((tmp_path / f"result-{me}.json").read_text()) for me in NAMES}, tmp_path)


KILLED = """
import os, signal, sys
from pathlib import Path
from s15_agent_teams.mailbox import Mailbox
box = Mailbox(Path(sys.argv[1]), "bob")
with box.lock, open(box.log, "ab", buffering=0) as log:
    log.write(b'{"id": "x", "from": "eve", "to": "bob", "text": "half a lett')
    os.kill(os.getpid(), signal.SIGKILL)  # mid-write, holding the lock
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_sender_killed_mid_write_loses_only_its_own_letter(tmp_path):
    box = Mailbox(tmp_path, "bob")
    box.send("alice", "before")
    child = subprocess.run([sys.executable, "-c", KILLED, str(tmp_path)])
    assert child.returncode == -signal.SIGKILL
    assert [letter.text for letter in box.receive()] == ["before"]  # the half line is not a letter
    assert box.receive() == []
    box.send("carol", "after")  # the lock was freed by the kill; the half line is cut off first
    assert [(letter.sender, letter.text) for letter in box.receive()] == [("carol", "after")]
    assert b"half a lett" not in box.log.read_bytes()


def test_receive_moves_a_cursor_and_never_rewrites_the_log(tmp_path):
    box = Mailbox(tmp_path, "bob")
    assert (box.receive(), box.unread()) == ([], False)
    first = box.send("alice", "one\nwith a newline inside")
    box.send("alice", "two")
    assert box.unread() and box.bell.is_set()
    assert [letter.text for letter in box.receive()] == ["one\nwith a newline inside", "two"]
    assert box.receive() == [] and not box.unread()
    assert box.log.read_bytes().count(b"\n") == 2 and first.id in box.log.read_text()  # the log keeps them
    assert int(box.cursor.read_text()) == box.log.stat().st_size


def test_a_structured_letter_keeps_its_fields_and_shows_them_as_attributes(tmp_path):
    from s15_agent_teams.member import as_prompt

    box = Mailbox(tmp_path, "bob")
    box.send("lead", "All tasks are done.", {"type": "shutdown_request", "request_id": "shutdown-1@bob"})
    box.send("lead", "plain")
    structured, plain = box.receive()
    assert structured.data == {"type": "shutdown_request", "request_id": "shutdown-1@bob"} and plain.data is None
    shown = as_prompt([structured])
    assert shown.startswith('<teammate-message from="lead" sent="') and shown.endswith(
        ' type="shutdown_request" request_id="shutdown-1@bob">\nAll tasks are done.\n</teammate-message>')
