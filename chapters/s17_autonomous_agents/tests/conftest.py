"""A lead built by this chapter's wiring, with in-process scripted models for it and its teammates
(as s15's and s16's tests), a clock of the test's own for every teammate, and hooks written into
the work dir's `.claude/settings.json`."""

from __future__ import annotations

import json
import re
import sys
import threading

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s15_agent_teams import TeamLead
from s15_agent_teams.testing import Waits
from s17_autonomous_agents import Autonomy
from s17_autonomous_agents.wiring import CHAPTER


class Clock:
    """Seconds that pass only when a teammate waits (`Waits`), never by themselves."""

    def __init__(self, now: float = 1000.0):
        self.now = now
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        with self.lock:
            self.now += seconds
            return self.now


class TickingWaits(Waits):
    """s15's `Waits`, and a clock: with `ticking`, a teammate's wait is the time it would have
    waited, on the test's clock, returned at once (`on_tick(now)` may act at a moment of the test's
    choosing); without, it waits for its bell as the lead's watcher always does."""

    def __init__(self, clock: Clock, ticking: bool = False, on_tick=None):
        super().__init__()
        self.clock, self.ticking, self.on_tick = clock, ticking, on_tick
        self.lead: TeamLead | None = None

    def __call__(self, bell: threading.Event, seconds: float) -> bool:
        self.waiting(bell).set()
        if not self.ticking or (self.lead.team is not None and bell is self.lead.mailbox.bell):
            return bell.wait(30)
        now = self.clock.advance(seconds)
        if self.on_tick:
            self.on_tick(now)
        return bell.is_set()


@pytest.fixture
def team(tmp_path):
    """`team(lead_script, {"alice": model or script}, *options, ticking=False, on_tick=None)` ->
    (agent, its TeamLead, the models, waits, clock)."""
    built = []

    def make(lead_script, scripts: dict, *options: str, ticking: bool = False, on_tick=None):
        lead_model = ScriptedModel(lead_script)
        models = {name: s if isinstance(s, ScriptedModel) else ScriptedModel(s) for name, s in scripts.items()}
        args = parse_args(CHAPTER, ["--permission-mode", "bypassPermissions", *options])
        session = Session(lead_model, AgentConfig(model="claude-test"), tmp_path, RecordingView(), args,
                          interactive=False, inbox=Inbox(), chapter=CHAPTER)
        agent = CHAPTER.build(session)
        lead = TeamLead.of(agent)
        clock = Clock()
        waits = TickingWaits(clock, ticking, on_tick)
        waits.lead = lead
        lead.models, lead.wait = models.__getitem__, waits

        def build(teammate_session):  # the chapter's build, on the test's clock
            teammate = CHAPTER.build(teammate_session)
            Autonomy.of(teammate).clock = clock
            return teammate

        lead.build = build
        built.append(agent)
        return agent, lead, {"lead": lead_model, **models}, waits, clock

    yield make
    for agent in built:
        agent.close()
        assert not [t for t in threading.enumerate() if t.name.startswith(("teammate-", "team-mail"))]


class Worker(ScriptedModel):
    """A teammate's model that does any task it is handed: it marks it completed, then ends its turn."""

    def __init__(self):
        super().__init__([])

    def query(self, request: dict, on_text=None):
        handed = re.search(r"Task #(\d+) is yours", last_user(request))
        self.script.append(tool_use("TaskUpdate", taskId=handed[1], status="completed") if handed else text("Done."))
        return super().query(request, on_text)

    def handed(self) -> list[str]:
        """The ids of the tasks handed to it, in order."""
        return [m[1] for call in self.calls if (m := re.search(r"Task #(\d+) is yours", last_user(call)))]


def hooks(workdir, **scripts: str) -> None:
    """`.claude/settings.json` with one command hook per event: `hooks(tmp_path, TeammateIdle=SOURCE)`
    writes SOURCE to `.claude/hooks/TeammateIdle.py` and runs it with this Python."""
    folder = workdir / ".claude" / "hooks"
    folder.mkdir(parents=True, exist_ok=True)
    config = {}
    for event, source in scripts.items():
        (folder / f"{event}.py").write_text(source, encoding="utf-8")
        command = f'"{sys.executable}" .claude/hooks/{event}.py'
        config[event] = [{"hooks": [{"type": "command", "command": command, "timeout": 30}]}]
    (workdir / ".claude" / "settings.json").write_text(json.dumps({"hooks": config}), encoding="utf-8")


def last_user(request: dict) -> str:
    """The text of a request's last user message: tool_results and text blocks."""
    blocks = request["messages"][-1]["content"]
    return "\n".join(str(b.get("content", b.get("text", ""))) for b in blocks)
