"""The status line: each part from its capability's public methods, fitted to 60, 80 and 120 columns."""

from __future__ import annotations

import threading

import pytest

from full import status
from full.meter import Meter
from full.status import Part, fit, status_line
from full.wiring import CHAPTER
from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, build_agent, wait_until
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use.harness import Harness
from s06_context_compact.compaction import CompactionConfig, Compactor
from s13_background_tasks.background import BackgroundJobs
from s15_agent_teams.lead import TeamLead
from s15_agent_teams.testing import Waits


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def busy(tmp_path):
    """The whole harness after two turns, on a priced model: one background job running and one
    teammate at work (its model holds its reply until the test ends)."""
    release, asked = threading.Event(), threading.Event()
    alice = ScriptedModel([text("Done.")])
    alice_query = alice.query

    def held(request, *args, **kwargs):
        asked.set()
        assert release.wait(30)
        return alice_query(request, *args, **kwargs)

    alice.query = held
    model = ScriptedModel([
        message(tool_use("bash", command="sleep 300", run_in_background=True),
                tool_use("TeamCreate", team_name="t"),
                tool_use("SpawnTeammate", name="alice", role="helper", prompt="Help.")),
        text("Started."), text("Fine.")])
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions")
    agent.config.model = "claude-sonnet-5-5"
    lead = TeamLead.of(agent)
    lead.models, lead.wait = {"alice": alice}.__getitem__, Waits()
    agent.run("start things")
    agent.run("and now?")
    assert asked.wait(20)
    yield agent
    release.set()
    agent.close()


def test_at_120_columns_every_part_is_there(busy):
    meter, (tokens, budget) = Meter.of(busy), Compactor.of(busy).context_use(busy)
    share = round(100 * meter.cache_read_share(after_first=True))
    assert status_line(busy, 120) == (
        f" claude-sonnet-5-5 · bypassPermissions · context {100 * tokens / budget:.0f}% ({status.count(tokens)}/150k)"
        f" · cache {share}% · {status.count(sum(meter.usage.values()))} tok ${meter.cost_usd:.4f} · 1 bg job"
        " · 1 at work")  # the jobs and teammates parts shortened to fit
    assert f"{meter.cost_usd:.4f}" != "0.0000" and share >= 90


@pytest.mark.parametrize("width", [80, 60])
def test_narrower_lines_shorten_then_drop_the_least_important_parts(busy, width):
    meter, (tokens, budget) = Meter.of(busy), Compactor.of(busy).context_use(busy)
    share = round(100 * meter.cache_read_share(after_first=True))
    everything = (f" claude-sonnet-5-5 · bypass · ctx {100 * tokens / budget:.0f}% · cache {share}% · "
                  f"${meter.cost_usd:.2f} · 1 bg job · 1 at work")
    line = status_line(busy, width)
    if width == 80:  # every part, shortened
        assert line == everything
    else:  # the cache share, then the jobs, are left out
        assert line == everything.replace(f" · cache {share}%", "").replace(" · 1 bg job", "")
    assert len(line) <= width


def test_each_part_shows_only_with_its_capability_and_cost_is_never_a_guessed_zero(tmp_path):
    model = ScriptedModel([text("one"), text("two")])
    agent = Harness(model, AgentConfig(model="kimi-k2"), tmp_path, RecordingView(), extensions=[Meter()])
    assert status_line(agent, 120) == " kimi-k2 · default"  # no request yet: no tokens, no cache share
    agent.run("first")
    assert status_line(agent, 120).endswith(" tok, cost unknown")  # one request: no share yet
    agent.run("second")
    line = status_line(agent, 120)
    assert "cache " in line and "context" not in line and "job" not in line and "$" not in line
    bare = Harness(model, AgentConfig(model="m"), tmp_path, RecordingView())
    assert status_line(bare, 120) == " m · default"


def test_a_failing_part_shows_a_marker_and_the_rest_of_the_line_stays(tmp_path):
    class Broken(Compactor):
        def context_use(self, agent):
            raise RuntimeError("no")

    agent = Harness(ScriptedModel([]), AgentConfig(model="m"), tmp_path, RecordingView(),
                    extensions=[Broken(CompactionConfig()), Meter()])
    assert status_line(agent, 120) == " m · default · context ? (RuntimeError)"


def test_teammates_are_asked_at_most_every_two_seconds(tmp_path):
    class Counting(TeamLead):
        asked = 0

        def at_work(self):
            self.asked += 1
            return ["alice"]

    model = ScriptedModel([tool_use("TeamCreate", team_name="t"), text("ok")])
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions")
    try:
        lead = TeamLead.of(agent)
        lead.__class__ = Counting  # the real lead, counting its answers
        agent.run("make a team")
        clock = Clock()
        assert "1 teammate at work" in status_line(agent, 120, clock)
        clock.now = 1.9
        status_line(agent, 120, clock)
        assert lead.asked == 1
        clock.now = 2.0
        status_line(agent, 120, clock)
        assert lead.asked == 2
    finally:
        agent.close()


def test_a_job_that_ends_leaves_the_line(tmp_path):
    model = ScriptedModel([tool_use("bash", command="sleep 0.2", run_in_background=True), text("ok")])
    agent = Harness(model, AgentConfig(model="m"), tmp_path, RecordingView(), extensions=[BackgroundJobs()])
    try:
        agent.run("go")
        assert "1 job running" in status_line(agent, 120)
        assert wait_until(lambda: not BackgroundJobs.of(agent).running())
        assert "job" not in status_line(agent, 120)
    finally:
        agent.close()


def test_fit_keeps_the_order_and_never_drops_the_most_important_part():
    parts = [Part("model-with-a-long-name", "model…", 100), Part("context 50% (75k/150k)", "ctx 50%", 80),
             Part("cache 90%", "c 90%", 50)]
    assert fit(parts, 80) == " model-with-a-long-name · context 50% (75k/150k) · cache 90%"
    assert fit(parts, 40) == " model-with-a-long-name · ctx 50% · c 90%"
    assert fit(parts, 25) == " model-with-a-long-name"
    assert fit(parts, 10) == " model…"
    assert fit(parts, 4) == " mod…"
    assert status.count(950) == "950" and status.count(34_500) == "34.5k" and status.count(999_999) == "1M"
    assert status.dollars(0.03214) == "$0.0321" and status.dollars(12.5) == "$12.50"
    assert status.dollars(0.03214, short=True) == "$0.03" and status.dollars(0.004, short=True) == "<$0.01"
