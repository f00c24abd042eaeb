"""The router: read-only calls overlap, a call that changes things runs alone in its place, results
keep the call order, timeouts and crashes stay in their own result, Ctrl-C answers every tool_use,
a refused call never runs, hooks fire once per call. Ordering is shown with barriers and events."""

from __future__ import annotations

import _thread
import threading
from collections import Counter

import pytest

from s01_agent_loop.scripted import message, text, tool_use
from s02_tool_use.extension import Extension, Verdict
from s20_tool_refactor.declare import tool

from .conftest import harness, results, tool_ids, tool_threads


def calls(*pairs) -> object:
    """One reply calling tools: `calls(("look", {"name": "a"}), ...)`."""
    return message(*(tool_use(name, **arguments) for name, arguments in pairs))


class Journal:
    """What happened, in order, from every thread; and how many read calls run right now."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: list[str] = []
        self.running = 0

    def add(self, entry: str) -> None:
        with self.lock:
            self.entries.append(entry)


def reads(journal: Journal, barriers: dict[str, threading.Barrier]):
    @tool(read_only=True, kind="read")
    def look(name: str) -> str:
        """Look at something; waits at its group's barrier, so it passes only beside the others."""
        with journal.lock:
            journal.running += 1
        journal.add(f"start {name}")
        try:
            barriers[name].wait()
        finally:
            with journal.lock:
                journal.running -= 1
            journal.add(f"end {name}")
        return f"looked at {name}"

    @tool(kind="edit")
    def change(name: str) -> str:
        """Change something."""
        journal.add(f"change {name} while {journal.running} reads run")
        return f"changed {name}"

    return look, change


def test_read_only_calls_run_at_once_and_answer_in_call_order(tmp_path):
    journal = Journal()
    three = threading.Barrier(3, timeout=5)  # only passed when all three run at once
    look, _ = reads(journal, dict.fromkeys("abc", three))
    agent = harness(tmp_path, [calls(*(("look", {"name": n}) for n in "abc")), text("done")], look)
    assert agent.run("look") == "done"
    assert [(content, error) for _, content, error in results(agent)] == [
        ("looked at a", False), ("looked at b", False), ("looked at c", False)]
    assert [i for i, _, _ in results(agent)] == tool_ids(agent)


def test_a_later_call_that_ends_first_still_answers_in_its_place(tmp_path):
    second_done = threading.Event()

    @tool(read_only=True)
    def slow() -> str:
        """Waits for the fast one."""
        assert second_done.wait(5)
        return "slow"

    @tool(read_only=True)
    def fast() -> str:
        """Ends at once."""
        second_done.set()
        return "fast"

    agent = harness(tmp_path, [calls(("slow", {}), ("fast", {})), text("done")], slow, fast)
    agent.run("go")
    assert [content for _, content, _ in results(agent)] == ["slow", "fast"]


def test_a_call_that_changes_things_runs_alone_in_its_place(tmp_path):
    journal = Journal()
    before, after = threading.Barrier(2, timeout=5), threading.Barrier(2, timeout=5)
    look, change = reads(journal, {"a": before, "b": before, "c": after, "d": after})
    script = [calls(("look", {"name": "a"}), ("look", {"name": "b"}), ("change", {"name": "x"}),
                    ("look", {"name": "c"}), ("look", {"name": "d"})), text("done")]
    agent = harness(tmp_path, script, look, change)
    agent.run("go")
    entries = journal.entries
    middle = entries.index("change x while 0 reads run")  # nothing else ran meanwhile
    assert set(entries[:middle]) == {"start a", "start b", "end a", "end b"}
    assert set(entries[middle + 1:]) == {"start c", "start d", "end c", "end d"}
    assert [content for _, content, _ in results(agent)] == [
        "looked at a", "looked at b", "changed x", "looked at c", "looked at d"]


def test_a_timeout_answers_for_that_call_only_and_the_thread_is_abandoned(tmp_path):
    release = threading.Event()

    @tool(read_only=True, timeout=0.05)
    def stuck() -> str:
        """Never ends by itself (a read of a pipe nobody writes)."""
        release.wait(10)
        return "late"

    @tool(read_only=True)
    def quick() -> str:
        """Ends at once."""
        return "quick"

    agent = harness(tmp_path, [calls(("quick", {}), ("stuck", {}), ("quick", {})), text("done")], stuck, quick)
    agent.run("go")
    got = results(agent)
    assert got[1][1:] == ("stuck timed out after 0.05 s and was abandoned; try a narrower call.", True)
    assert [(c, e) for _, c, e in (got[0], got[2])] == [("quick", False), ("quick", False)]
    [left] = tool_threads()
    assert left.daemon  # abandoned, it cannot hold the process open at exit
    release.set()
    left.join(5)


def test_an_exception_in_one_call_does_not_hurt_the_others(tmp_path):
    @tool(read_only=True)
    def broken() -> str:
        """Fails."""
        raise RuntimeError("disk on fire")

    @tool(read_only=True)
    def fine(n: int) -> str:
        """Works."""
        return f"fine {n}"

    agent = harness(tmp_path, [calls(("fine", {"n": 1}), ("broken", {}), ("fine", {"n": 2}), ("fine", {"n": "x"})),
                               text("done")], broken, fine)
    agent.run("go")
    got = [(c, e) for _, c, e in results(agent)]
    assert got[:3] == [("fine 1", False), ("broken failed: RuntimeError: disk on fire", True), ("fine 2", False)]
    assert got[3][1] and got[3][0].startswith("Invalid input for fine: n: Input should be a valid integer")


@pytest.mark.parametrize("stream_start", [False, True])
def test_ctrl_c_mid_batch_answers_every_tool_use_once_and_leaves_no_thread(tmp_path, stream_start):
    ran = []

    @tool(read_only=True)
    def wait_for_cancel(ctx) -> str:
        """Runs until the router cancels it."""
        ctx.cancelled.wait(10)
        return "cancelled"

    @tool(read_only=True)
    def press_ctrl_c() -> str:
        """The user presses Ctrl-C while the others run."""
        _thread.interrupt_main()
        return "pressed"

    @tool(kind="edit")
    def change() -> str:
        """Would change something."""
        ran.append("change")
        return "changed"

    script = [calls(("wait_for_cancel", {}), ("press_ctrl_c", {}), ("wait_for_cancel", {}), ("change", {}))]
    agent = harness(tmp_path, script, wait_for_cancel, press_ctrl_c, change, stream_start=stream_start)
    with pytest.raises(KeyboardInterrupt):
        agent.run("go")
    assert ran == [] and not tool_threads()  # the write never ran; every read thread has ended
    if not stream_start:  # the reply was complete: each of its tool_use blocks has one result, in order
        answered = [b for b in agent.messages[2]["content"] if b["type"] == "tool_result"]
        assert [b["tool_use_id"] for b in answered] == tool_ids(agent)
        assert all(b["is_error"] and "interrupted" in b["content"] for b in answered)
    else:  # subtle: the in-process model hands the blocks over before it returns, so the read that
        # presses Ctrl-C runs while the reply still "streams": the reply never joins the conversation
        assert [m["role"] for m in agent.messages] == ["user"]
        assert agent.messages[0]["content"][-1]["text"] == "[The user interrupted this turn.]"


class Refuse(Extension):
    """Refuses calls whose input names `b`; counts what the harness asks and answers per call."""

    def __init__(self):
        self.seen = Counter()

    def pre_tool_use(self, agent, call):
        self.seen[f"pre {call.id}"] += 1
        if call.input.get("name") == "b":
            return Verdict("deny", "b is off limits")

    def post_tool_use(self, agent, call, result):
        self.seen[f"post {call.id}"] += 1


@pytest.mark.parametrize("stream_start", [True, False])
def test_a_refused_call_never_runs_and_hooks_fire_once_per_call(tmp_path, stream_start):
    journal = Journal()
    pair = threading.Barrier(2, timeout=5)
    look, change = reads(journal, {"a": pair, "c": pair})
    refuse = Refuse()
    script = [calls(("look", {"name": "a"}), ("look", {"name": "b"}), ("look", {"name": "c"}),
                    ("change", {"name": "x"})), text("done")]
    agent = harness(tmp_path, script, look, change, extensions=[refuse], stream_start=stream_start)
    agent.run("go")
    assert "start b" not in journal.entries
    assert results(agent)[1][1:] == ("Permission to use look was denied: b is off limits.", True)
    ids = tool_ids(agent)
    assert refuse.seen == Counter({f"pre {i}": 1 for i in ids} | {f"post {i}": 1 for i in ids if i != ids[1]})
    assert agent.n_tool_calls == 4 and agent.view.tools == ["look"] * 3 + ["change"]
