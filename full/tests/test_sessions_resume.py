"""Sessions brought back in-process, through the real SDK and the scripted server: the resumed
request is byte-identical in its prefix (the cache reads all of it), session crons and open tasks
come back, `/clear` opens a new file, `/resume` switches inside a running session."""

from __future__ import annotations

import argparse
import datetime
import io
import json
import subprocess

import pytest
from rich.console import Console

from full.sessions import SessionLog
from full.wiring import CHAPTER
from s01_agent_loop.cli import Session
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import RecordingView, build_agent, slash
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ScriptedServer, call, say
from s01_agent_loop.scripted.usage import estimate_request, unmarked
from s10_system_prompt import environment
from s14_cron_scheduler import Scheduler


class Recording:
    """A model that keeps each reply (their usage says what the cache read)."""

    def __init__(self, model):
        self.model, self.replies = model, []

    def query(self, request, **kwargs):
        reply = self.model.query(request, **kwargs)
        self.replies.append(reply)
        return reply


def agent_on(server, workdir, *argv):
    model = Recording(AnthropicModel(Settings(api_key="scripted", base_url=server.url, model="scripted")))
    return build_agent(CHAPTER, workdir, model, "--permission-mode", "bypassPermissions", *argv), model


@pytest.fixture
def project(tmp_path):
    (tmp_path / "CLAUDE.md").write_text("Answer briefly.\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    hook = {"matcher": "resume", "hooks": [{"type": "command", "command": "echo resumed by hook >> hook.log; echo HOOK-CONTEXT"}]}
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps({"hooks": {"SessionStart": [hook]}}),
                                                         encoding="utf-8")
    for command in (["git", "init", "-q"], ["git", "add", "."],
                    ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "start"]):
        subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


FIRST_SESSION = [
    call("read_file", path="notes.txt"),
    call("CronCreate", cron="0 0 1 1 *", prompt="happy new year", recurring=True),
    say("Read it; a yearly reminder is set."),
    call("TaskCreate", subject="write the changelog", description="for the release"),
    call("bash", command="echo hi > new.txt"),
    call("memory", action="save", name="changelog-style", description="how the changelog is written",
         type="project", content="One line per change."),
    say("A task is on the board."),
]


def test_a_continued_session_sends_the_same_prefix_and_the_cache_reads_all_of_it(project, monkeypatch):
    with ScriptedServer([*FIRST_SESSION, say("Going on.", expect={"last_user_contains": "go on"})]) as server:
        agent, _ = agent_on(server, project)
        agent.run("read notes.txt and remind me yearly")
        agent.run("plan the changelog")
        agent.close()
        first_log = SessionLog.of(agent).path
        # meanwhile: CLAUDE.md changed, git's status changed (new.txt), and the day changed
        (project / "CLAUDE.md").write_text("Answer at length.\n", encoding="utf-8")
        monkeypatch.setattr(environment.datetime, "date", type("Later", (datetime.date,), {
            "today": classmethod(lambda cls: datetime.date(2031, 1, 2))}))

        resumed, model = agent_on(server, project, "--continue")
        assert SessionLog.of(resumed).path == first_log
        resumed.run("go on")
        resumed.close()
    server.assert_done()
    before, after = server.requests[-2], server.requests[-1]
    assert after["system"] == before["system"] and after["tools"] == before["tools"]
    n = len(before["messages"])
    # the prefix: every message of the last request, byte for byte but for s10's moved breakpoint
    assert json.dumps(unmarked(after["messages"][:n])) == json.dumps(unmarked(before["messages"]))
    assert after["messages"][:n - 1] == before["messages"][:n - 1]
    usage = model.replies[0].usage
    assert usage.cache_read_input_tokens == estimate_request(before)  # the whole previous request
    total = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens
    print(f"\nresumed request: {usage.cache_read_input_tokens:,} of {total:,} tokens read from the cache")
    # the crons of the session and the open task came back
    jobs = Scheduler.of(resumed).session_jobs.values()
    assert [job.prompt for job in jobs] == ["happy new year"]
    tail = json.dumps(after["messages"][n:])
    assert "write the changelog" in tail and "go on" in tail  # s12's open tasks, before the prompt
    # a SessionStart hook matching "resume" ran once, for the resumed session only; its output is context
    assert (project / "hook.log").read_text(encoding="utf-8") == "resumed by hook\n" and "HOOK-CONTEXT" in tail


def test_clear_starts_a_new_session_file_and_resume_switches_back(project):
    script = [say("one"), say("two"), say("three", expect={"first_user_contains": "first"})]
    with ScriptedServer(script) as server:
        agent, _ = agent_on(server, project)
        console = Console(file=io.StringIO(), width=120)
        log = SessionLog.of(agent)
        agent.run("first")
        first = log.path
        slash(agent, "/clear", console)
        assert log.path != first and not log.path.exists()  # the new file comes with the next prompt
        agent.run("second")
        second = log.path
        assert second.exists() and first.exists() and second != first
        slash(agent, f"/resume {first.stem[:8]}", console)
        assert log.path == first and [m["role"] for m in agent.messages] == ["user", "assistant"]
        agent.run("third")  # its request starts with the first session's messages
        agent.close()
    server.assert_done()
    slash(agent, "/resume zzzz", console)
    assert "no session 'zzzz'" in console.file.getvalue()


def test_a_teammate_or_a_subagent_writes_no_session_and_resumes_nothing(project):
    args = argparse.Namespace(teammate="alice", team="t", continue_session=True, resume=None)
    log = SessionLog.open(Session(None, None, project, RecordingView(), args, interactive=False), None)
    with ScriptedServer([say("hi")]) as server:
        agent, _ = agent_on(server, project)
        agent.extensions[-1] = log  # as a teammate's build would have it
        agent.run("hello")
        agent.close()
    assert not log.enabled and log.commands() == {} and log.for_subagent() is None
    assert not list(project.glob(".harness/sessions/*.jsonl"))
