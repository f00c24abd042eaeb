"""The Meter: usage added up per session and per model, priced from prices.py; /cost and /model."""

from __future__ import annotations

import io
import json

import pytest
from anthropic.types import Usage
from rich.console import Console

from full.commands import FullCommands
from full.meter import Meter
from full.prices import PRICES, price_of
from full.wiring import CHAPTER
from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, build_agent, slash
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use.harness import Harness


class Billed(ScriptedModel):
    """The scripted model, each reply carrying the next usage of `bills` (None: no usage at all,
    as some compatible endpoints send)."""

    def __init__(self, script, bills):
        super().__init__(script)
        self.bills = list(bills)

    def query(self, request, *args, **kwargs):
        reply = super().query(request, *args, **kwargs)
        bill = self.bills.pop(0)
        reply.usage = None if bill is None else Usage(
            input_tokens=bill[0], output_tokens=bill[1], cache_read_input_tokens=bill[2],
            cache_creation_input_tokens=bill[3])
        return reply


class Clock:
    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def harness(tmp_path, model, name="claude-sonnet-5-5", clock=None) -> tuple[Harness, Meter]:
    meter = Meter(clock=clock) if clock else Meter()
    extensions = [meter, FullCommands()]  # /model
    return Harness(model, AgentConfig(model=name), tmp_path, RecordingView(), extensions=extensions), meter


def shown(agent, line: str) -> str:
    console = Console(file=io.StringIO(), width=200)
    slash(agent, line, console)
    return console.file.getvalue()


# --- prices -----------------------------------------------------------------------------------


def test_prices_match_the_longest_prefix_and_an_unknown_model_has_none():
    assert price_of("claude-opus-4-1-20250805").input == 15  # Opus 4.1, not 4.5's $5
    assert price_of("claude-opus-4-5-20251101").input == 5
    assert price_of("claude-sonnet-5-5").cache_read == 0.10 and price_of("claude-sonnet-5").cache_read == 0.20
    assert price_of("deepseek-chat") is None and price_of("kimi-k2") is None and price_of("llama3.2") is None
    for prefix, price in PRICES.items():  # a 5-minute cache write is ~1.25x input, a read ~0.1x or less
        assert price.cache_write == pytest.approx(1.25 * price.input, rel=0.05), prefix
        assert price.cache_read <= 0.12 * price.input, prefix


def test_haiku_5_5_costs_five_times_as_much_for_a_prompt_over_100k_tokens():
    price = price_of("claude-haiku-5-5")
    small = {"input": 50_000, "output": 1000, "cache_read": 40_000, "cache_write": 0}
    large = {**small, "cache_read": 60_000}  # 110k prompt tokens
    assert price.cost(small) == pytest.approx((50_000 * 0.10 + 1000 * 0.50 + 40_000 * 0.01) / 1e6)
    assert price.cost(large) == pytest.approx(5 * (50_000 * 0.10 + 1000 * 0.50 + 60_000 * 0.01) / 1e6)


# --- the meter --------------------------------------------------------------------------------


def test_usage_adds_up_by_kind_and_the_cost_is_the_published_price(tmp_path):
    model = Billed([text("one"), text("two")], [(1000, 500, 0, 2000), (300, 200, 10_000, 0)])
    agent, meter = harness(tmp_path, model, clock=Clock(0.25))
    agent.run("first")
    agent.run("second")
    assert meter.usage == {"input": 1300, "output": 700, "cache_read": 10_000, "cache_write": 2000}
    assert meter.requests == 2 and meter.api_seconds == pytest.approx(0.5)
    # Sonnet 5.5: $2 input, $10 output, $2.50 cache write, $0.10 cache read per million
    assert meter.cost_usd == pytest.approx((1300 * 2 + 700 * 10 + 2000 * 2.5 + 10_000 * 0.10) / 1e6)
    assert meter.cache_read_share() == pytest.approx(10_000 / 13_300)
    assert meter.cache_read_share(after_first=True) == pytest.approx(10_000 / 10_300)
    model.assert_done()


def test_an_unknown_model_counts_tokens_and_its_cost_is_unknown_never_zero(tmp_path):
    model = Billed([text("one"), text("two")], [(100, 10, 0, 0), None])  # the second reply has no usage
    agent, meter = harness(tmp_path, model, name="deepseek-chat")
    agent.run("first")
    agent.run("second")
    assert meter.usage == {"input": 100, "output": 10, "cache_read": 0, "cache_write": 0} and meter.requests == 2
    assert meter.cost_usd is None
    out = shown(agent, "/cost")
    assert "unknown" in out and "$0" not in out and "deepseek-chat" in out


def test_model_switch_splits_usage_per_model_and_only_the_new_model_is_asked(tmp_path):
    model = Billed([text("one"), text("two")], [(1000, 0, 0, 0), (1000, 0, 0, 0)])
    agent, meter = harness(tmp_path, model)
    agent.run("first")
    out = shown(agent, "/model claude-opus-4-1")
    assert "claude-opus-4-1 (was claude-sonnet-5-5)" in out and "writes the cached prefix again" in out
    agent.run("second")
    assert [call["model"] for call in model.calls] == ["claude-sonnet-5-5", "claude-opus-4-1"]
    assert {name: part.requests for name, part in meter.models.items()} == {"claude-sonnet-5-5": 1, "claude-opus-4-1": 1}
    assert meter.models["claude-opus-4-1"].cost_usd == pytest.approx(1000 * 15 / 1e6)
    assert meter.cost_usd == pytest.approx(1000 * (2 + 15) / 1e6)
    out = shown(agent, "/cost")
    assert "claude-sonnet-5-5" in out and "claude-opus-4-1" in out and "total" in out
    # then to a model with no price: the total is unknown, and /cost says what is known
    shown(agent, "/model llama3.2")
    model.script.append(text("three"))
    model.bills.append((5, 5, 0, 0))
    agent.run("third")
    assert meter.cost_usd is None and "$0.0170 plus unknown (llama3.2 has no known price)" in shown(agent, "/cost")


def test_model_without_an_argument_shows_the_current_one_and_the_known_prices(tmp_path):
    agent, _ = harness(tmp_path, Billed([], []))
    out = shown(agent, "/model")
    assert "model: claude-sonnet-5-5 ($2 input, $10 output per million tokens; cache writes $2.50, reads $0.10)" in out
    assert all(prefix in out for prefix in PRICES)
    assert "not a model id" in shown(agent, "/model two words") and agent.config.model == "claude-sonnet-5-5"


def test_clear_starts_the_totals_again(tmp_path):
    model = Billed([text("one"), text("two")], [(1000, 10, 0, 0), (7, 3, 0, 0)])
    agent, meter = harness(tmp_path, model)
    agent.run("first")
    agent.new_session()  # /clear
    assert meter.requests == 0 and meter.usage == dict.fromkeys(meter.usage, 0) and meter.models == {}
    assert "no model requests" in shown(agent, "/cost")
    agent.run("second")
    assert meter.usage["input"] == 7 and meter.requests == 1


def test_a_compactions_summary_request_is_counted_though_it_passes_no_wrapper(tmp_path):
    from s06_context_compact.compaction import CompactionConfig, Compactor

    model = Billed([text("one"), text("SUMMARY: one."), text("two")], [(1000, 10, 0, 0), (400, 50, 0, 0), (9, 1, 0, 0)])
    meter = Meter()
    agent = Harness(model, AgentConfig(model="claude-sonnet-5-5"), tmp_path, RecordingView(),
                    extensions=[meter, FullCommands(), Compactor(CompactionConfig(keep_messages=1))])
    agent.run("first")
    slash(agent, "/compact", Console(file=io.StringIO()))
    agent.run("second")
    model.assert_done()
    assert meter.requests == 3 and meter.usage["input"] == 1409 and meter.usage["output"] == 61
    assert "a compaction's summary request is counted" in shown(agent, "/cost")


def test_a_resumed_session_goes_on_counting_from_its_saved_totals(tmp_path):
    model = Billed([text("one"), text("two"), text("three")], [(1000, 10, 0, 0), (5, 5, 900, 100), (1, 1, 1, 1)])
    agent, meter = harness(tmp_path, model)
    agent.run("first")
    agent.run("second")
    messages, states = list(agent.messages), json.loads(json.dumps(agent.session_states()))  # as saved on disk
    before = (dict(meter.usage), meter.requests, meter.cost_usd, meter.cache_read_share(after_first=True))
    later, resumed = harness(tmp_path, model)
    later.resume(messages, states)
    assert (resumed.usage, resumed.requests, resumed.cost_usd, resumed.cache_read_share(after_first=True)) == before
    later.run("third")
    assert resumed.requests == 3 and resumed.usage["input"] == 1006
    agent.resume(messages, {})  # another session, saved without a meter's state: from zero
    assert meter.requests == 0 and meter.models == {}


# --- in the whole harness ---------------------------------------------------------------------


def test_in_full_the_meter_is_outermost_and_a_subagents_calls_count_into_the_session(tmp_path):
    model = ScriptedModel([tool_use("Task", description="look around", prompt="List the files."),
                           tool_use("glob", pattern="*"), text("two files"), text("The subagent found two files.")])
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions")
    try:
        meter = Meter.of(agent)
        assert agent.extensions[0] is meter
        agent.run("what is here?")
        assert meter.requests == len(model.calls) == 4  # 2 of the parent, 2 of its subagent
        assert sum(meter.usage.values()) > 0 and meter.cost_usd is None  # claude-test has no price
        out = shown(agent, "/cost")
        assert "4 requests" in out and "cache reads:" in out
    finally:
        agent.close()
    model.assert_done()


def test_after_model_a_subagent_asks_the_new_model_too(tmp_path):
    model = ScriptedModel([tool_use("Task", description="look", prompt="List the files."), text("two files"),
                           text("Two files.")])
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions")
    try:
        shown(agent, "/model claude-haiku-4-5")
        agent.run("what is here?")
        assert [call["model"] for call in model.calls] == ["claude-haiku-4-5"] * 3
        assert list(Meter.of(agent).models) == ["claude-haiku-4-5"] and Meter.of(agent).cost_usd > 0
    finally:
        agent.close()


def test_cost_lists_teammates_apart_from_the_sessions_total(tmp_path):
    from s15_agent_teams.lead import TeamLead
    from s15_agent_teams.testing import Waits

    alice = ScriptedModel([text("Done.")])
    model = ScriptedModel([message(tool_use("TeamCreate", team_name="t"),
                                   tool_use("SpawnTeammate", name="alice", role="helper", prompt="Help.")),
                           text("alice works.")])
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions")
    try:
        lead, waits = TeamLead.of(agent), Waits()
        lead.models, lead.wait = {"alice": alice}.__getitem__, waits
        agent.run("make a team")
        waits.until_idle(lead, "alice")
        theirs = Meter.of(lead.teammates["alice"].agent)
        assert theirs is not Meter.of(agent) and theirs.requests == 1
        assert Meter.of(agent).requests == 2  # the lead's own, without alice's
        out = shown(agent, "/cost")
        assert "teammates (their own agents, not in the total above):" in out
        assert f"alice  {sum(theirs.usage.values()):,} tokens in 1 request, " in out
    finally:
        agent.close()
