"""Helpers for tests of a team (this chapter's and later ones'), shipped with the package as s01
ships `cli/testing.py`."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ScriptedServer

from .lead import TeamLead


class Waits:
    """The `wait` of the teammates and of the lead's watcher, for tests: it wakes only when the
    mailbox's bell rings (in-process mail, or a stop), never by time, and it tells the test that
    the mailbox's owner waits (a teammate waits only when its run is over)."""

    def __init__(self):
        self.events: dict[int, threading.Event] = {}  # id of a bell -> set when someone waits on it
        self.lock = threading.Lock()

    def waiting(self, bell: threading.Event) -> threading.Event:
        with self.lock:
            return self.events.setdefault(id(bell), threading.Event())

    def __call__(self, bell: threading.Event, seconds: float) -> bool:
        self.waiting(bell).set()
        return bell.wait(30)

    def until_idle(self, lead: TeamLead, name: str, timeout: float = 20) -> None:
        """Block until teammate `name` waits for mail: its run is over (or, in s17, it has nothing to do)."""
        event = self.waiting(lead.team.mailbox(name).bell)
        assert event.wait(timeout), f"{name} never went idle"
        event.clear()


@contextmanager
def process_team(chapter, script, workdir: Path):
    """A lead of `chapter` whose teammates run as processes, its real SDK pointed at a scripted
    server playing `script` (every agent's steps): yields (agent, its TeamLead, the inbox, the
    server); closes the agent after, and checks the server played the whole script."""
    with ScriptedServer(script) as server:
        settings = Settings(api_key="scripted", base_url=server.url, model="claude-test")
        args = parse_args(chapter, ["--permission-mode", "bypassPermissions", "--teammates-as", "process"])
        inbox = Inbox()
        agent = chapter.build(Session(AnthropicModel(settings), AgentConfig(model="claude-test"), workdir,
                                      RecordingView(), args, interactive=False, inbox=inbox, chapter=chapter))
        try:
            yield agent, TeamLead.of(agent), inbox, server
        finally:
            agent.close()
    server.assert_done()
