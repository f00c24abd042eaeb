"""A lead built by the chapter's wiring, with in-process scripted models for it and its teammates."""

from __future__ import annotations

import json
import threading

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel
from s15_agent_teams import TeamLead
from s15_agent_teams.testing import Waits
from s15_agent_teams.wiring import CHAPTER


@pytest.fixture
def team(tmp_path):
    """`team(lead_script, {"alice": script}, *options)` -> (agent, its TeamLead, the models, waits)."""
    built = []

    def make(lead_script, scripts: dict, *options: str, interactive: bool = False, view=None, inbox=None,
             gate: int | None = None):
        """`gate=N`: the teammates' first replies wait until the lead has had N replies (its turn is
        over), so their mail cannot slip into that turn."""
        lead_model = ScriptedModel(lead_script)
        models = {name: ScriptedModel(script) for name, script in scripts.items()}
        if gate is not None:
            lead_done = threading.Event()
            lead_query = lead_model.query

            def query(request, on_text=None):
                reply = lead_query(request, on_text)
                if len(lead_model.calls) == gate:
                    lead_done.set()
                return reply

            lead_model.query = query
            for model in models.values():
                model.query = waiting_for(lead_done, model.query)
        args = parse_args(CHAPTER, list(options) or ["--permission-mode", "bypassPermissions"])
        session = Session(lead_model, AgentConfig(model="claude-test"), tmp_path, view or RecordingView(), args,
                          interactive=interactive, inbox=inbox or Inbox())
        agent = CHAPTER.build(session)
        lead = TeamLead.of(agent)
        waits = Waits()
        lead.models, lead.wait = models.__getitem__, waits
        built.append(agent)
        return agent, lead, {"lead": lead_model, **models}, waits

    yield make
    for agent in built:
        agent.close()
        assert not [t for t in threading.enumerate() if t.name.startswith(("teammate-", "team-mail"))]


def settings(workdir, permissions: dict | None = None, hooks: dict | None = None) -> None:
    """`.claude/settings.json` in the work dir, with these permission rules and hooks."""
    folder = workdir / ".claude"
    folder.mkdir(exist_ok=True)
    content = {"permissions": permissions or {}} | ({"hooks": hooks} if hooks else {})
    (folder / "settings.json").write_text(json.dumps(content), encoding="utf-8")


def waiting_for(event: threading.Event, query):
    def gated(request, on_text=None):
        assert event.wait(20), "the lead's turn never ended"
        return query(request, on_text)

    return gated
