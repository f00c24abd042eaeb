"""A lead built by this chapter's wiring, with in-process scripted models for it and its teammates
(as s15's tests, whose `Waits` this follows): the teammates are built by the same chapter."""

from __future__ import annotations

import threading

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.testing import RecordingView, wait_until
from s01_agent_loop.scripted import ScriptedModel
from s15_agent_teams import TeamLead
from s15_agent_teams.testing import Waits
from s16_team_protocols.wiring import CHAPTER


@pytest.fixture
def team(tmp_path):
    """`team(lead_script, {"alice": script}, *options)` -> (agent, its TeamLead, the models, waits)."""
    built = []

    def make(lead_script, scripts: dict, *options: str, build=None, after: dict | None = None):
        """`build`: the teammates' build (`build(session) -> agent`), e.g. one that adds a tool.
        `after={"alice": {1: 3, 4: event}}`: alice's first model call waits until the lead has made 3
        (its turn's last request is sent, so her mail cannot join that turn), her fourth for `event`."""
        lead_model = ScriptedModel(lead_script)
        models = {name: ScriptedModel(script) for name, script in scripts.items()}
        for name, waits_for in (after or {}).items():
            models[name].query = ordered(models[name], lead_model, waits_for)
        args = parse_args(CHAPTER, list(options) or ["--permission-mode", "bypassPermissions"])
        session = Session(lead_model, AgentConfig(model="claude-test"), tmp_path, RecordingView(), args,
                          interactive=False, inbox=Inbox(), chapter=CHAPTER)
        agent = CHAPTER.build(session)
        lead = TeamLead.of(agent)
        waits = Waits()
        lead.models, lead.wait = models.__getitem__, waits
        if build is not None:
            lead.build = build
        built.append(agent)
        return agent, lead, {"lead": lead_model, **models}, waits

    yield make
    for agent in built:
        agent.close()
        assert not [t for t in threading.enumerate() if t.name.startswith(("teammate-", "team-mail"))]


def ordered(model: ScriptedModel, lead_model: ScriptedModel, waits_for: dict):
    """`model.query` whose call number k (from 1) first waits for `waits_for[k]`: a number of the
    lead's calls, or an event."""
    query = model.query

    def gated(request, on_text=None):
        wanted = waits_for.get(len(model.calls) + 1)
        if isinstance(wanted, threading.Event):
            assert wanted.wait(20), "the test never let this call go"
        elif wanted is not None:  # the lead's calls are counted as they start
            assert wait_until(lambda: len(lead_model.calls) >= wanted, 20), f"the lead never made {wanted} calls"
        return query(request, on_text)

    return gated


def last_user(request: dict) -> str:
    """The text of a request's last user message: tool_results and text blocks."""
    blocks = request["messages"][-1]["content"]
    return "\n".join(str(b.get("content", b.get("text", ""))) for b in blocks)
