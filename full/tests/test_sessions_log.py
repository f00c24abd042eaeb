"""The session file: it replays to exactly `agent.messages` however they changed (appends, a user
message extended, a cleared tool result, a compaction); a torn last line is ignored and cut; the
listing and the picker."""

from __future__ import annotations

import io
import json
import os
from types import SimpleNamespace

import pytest
from rich.console import Console

from full import picker
from full.session_store import SessionError, SessionWriter, find_session, list_sessions, replay
from full.sessions import SessionLog
from full.wiring import CHAPTER
from s01_agent_loop.cli.testing import build_agent, slash
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s06_context_compact.history import CLEARED, clear, old_results


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_log_replays_to_the_messages_after_appends_an_extension_a_clearing_and_a_compaction(tmp_path):
    model = ScriptedModel([tool_use("read_file", path="a.txt"), text("Read it."),
                           tool_use("read_file", path="a.txt"), KeyboardInterrupt(),
                           text("SUMMARY: a.txt was read twice."), text("ok")])
    (tmp_path / "a.txt").write_text("".join(f"line {i}: alpha beta gamma\n" for i in range(300)), encoding="utf-8")
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions")
    log = SessionLog.of(agent)
    console = Console(file=io.StringIO(), width=120)

    agent.run("read a.txt")  # 1. appends: prompt, call, result, answer
    assert replay(log.path).messages == agent.messages and len(agent.messages) == 4
    with pytest.raises(KeyboardInterrupt):  # 2. Ctrl-C: the saved tool_result message gets the note
        agent.run("again")
    assert agent.messages[-1]["content"][-1]["text"] == "[The user interrupted this turn.]"
    assert replay(log.path).messages == agent.messages
    slash(agent, "/compact", console)  # 3. a compaction rewrites the history from the start
    assert "SUMMARY" in json.dumps(agent.messages[0]), console.file.getvalue()
    log.sync(agent)
    assert replay(log.path).messages == agent.messages
    clear(old_results(agent.messages, 0))  # 4. s06 clears the old tool results, in place
    log.sync(agent)
    assert replay(log.path).messages == agent.messages
    assert CLEARED in json.dumps(replay(log.path).messages)
    agent.run("go on")
    agent.close()
    saved = replay(log.path)
    assert saved.messages == agent.messages and saved.prompts == ["read a.txt", "again", "go on"]
    rewinds = [record["at"] for record in lines(log.path) if record["type"] == "sync" and "at" in record]
    assert 0 in rewinds and rewinds != sorted(rewinds)  # it went back: the rewinds happened
    assert saved.states["SystemPrompt"]["tool_order"][0] == agent.request()["tools"][0]["name"]


def test_a_torn_last_line_is_ignored_and_cut_before_the_next_append(tmp_path):
    path = tmp_path / "s.jsonl"
    writer = SessionWriter(path)
    writer.start({"type": "session", "sessionId": "s"})
    first = [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    writer.sync(first, {})
    writer.close()
    with open(path, "a", encoding="utf-8") as file:  # kill -9 in the middle of the next sync
        file.write('{"type":"sync","at":1,"messages":[{"role":"assistant","content":[{"type":"te')
    saved = replay(path)
    assert saved.messages == first and saved.whole < path.stat().st_size
    again = SessionWriter(path)
    again.reopen(saved)
    both = [*first, {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}]
    again.sync(both, {"X": {"a": 1}})
    again.close()
    assert replay(path).messages == both and replay(path).states == {"X": {"a": 1}}
    again.file = open(path, "a", encoding="utf-8")  # noqa: SIM115
    again.sync(both, {"Y": {"b": 2}})  # X has no state any more, Y has one: only the change is written
    again.close()
    assert replay(path).states == {"Y": {"b": 2}} and '"states":{"Y":{"b":2},"X":null}' in path.read_text()
    assert all(line.endswith("}") for line in path.read_text(encoding="utf-8").splitlines())
    with open(path, "a", encoding="utf-8") as file:
        file.write("not json\n{}\n")  # a whole bad line in the middle is not a torn write: say so
    with pytest.raises(SessionError, match="line 5 is not a JSON record"):
        replay(path)


def session_file(workdir, session_id, prompts, age):
    log = SessionLog(workdir)
    log.id = session_id
    agent = SimpleNamespace(workdir=workdir, config=SimpleNamespace(model="m"))
    for prompt in prompts:
        log.record_prompt(agent, prompt)
    log.close()
    if prompts:
        stamp = 1_800_000_000 - age
        os.utime(log.path, (stamp, stamp))
    return log.path


def test_the_listing_is_newest_first_and_an_id_prefix_finds_one(tmp_path):
    session_file(tmp_path, "aaaa1111-0000", ["fix the median", "and the test"], age=3600)
    session_file(tmp_path, "aaaa2222-0000", ["what is this project?"], age=60)
    session_file(tmp_path, "bbbb3333-0000", [], age=10)  # no prompt: not a session to resume
    sessions = list_sessions(tmp_path)
    assert [(s.id, s.turns, s.first_prompt) for s in sessions] == [
        ("aaaa2222-0000", 1, "what is this project?"), ("aaaa1111-0000", 2, "fix the median")]
    assert find_session(tmp_path, "aaaa1").id == "aaaa1111-0000"
    with pytest.raises(SessionError, match="2 sessions start with 'aaaa'"):
        find_session(tmp_path, "aaaa")
    with pytest.raises(SessionError, match="no session 'cccc'.*recent: aaaa2222, aaaa1111"):
        find_session(tmp_path, "cccc")

    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(picker.listing(sessions, now=1_800_000_000))
    shown = console.file.getvalue().splitlines()
    assert shown[0].split() == ["#", "when", "turns", "first", "prompt", "id"]
    assert shown[1].split()[0] == "1" and "what is this project?" in shown[1] and "aaaa2222" in shown[1]
    assert shown[2].split()[0] == "2" and "fix the median" in shown[2] and " 2 " in shown[2]
    assert picker.choose(sessions, console, stream=io.StringIO("7\n2\n")).id == "aaaa1111-0000"
    assert "type a number from 1 to 2" in console.file.getvalue()
    assert picker.choose(sessions, console, stream=io.StringIO("")) is None


def test_a_session_open_in_another_process_is_not_resumed_and_is_free_once_that_one_ends(tmp_path):
    first = build_agent(CHAPTER, tmp_path, ScriptedModel([text("one")]), "--permission-mode", "bypassPermissions")
    first.run("hello")  # its log holds the session now
    path = SessionLog.of(first).path
    with pytest.raises(SessionError, match="open in another process"):
        SessionWriter(path).claim()  # what a second `full --continue` meets (the lock is an OS lock)
    second = build_agent(CHAPTER, tmp_path, ScriptedModel([text("two")]), "--permission-mode", "bypassPermissions")
    log = SessionLog.of(second)
    with pytest.raises(Exception, match="open in another process"):  # one line at the command line
        log.resume(second, path)
    assert second.messages == [] and log.writer is None  # nothing was taken over
    first.close()  # the first one ends (a kill -9 frees the lock too: the OS lets go of it)
    log.resume(second, path)
    assert second.run("again") == "two" and len(replay(path).messages) == 4
