"""The compaction policy through the scripted model: every request is checked against the protocol
(ScriptedModel raises ProtocolError on a split tool pair, a trailing assistant turn...)."""

import copy
import json
from collections import Counter
from types import SimpleNamespace

import pytest
from pydantic import BaseModel

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, check_request, estimate_request, message, text, tool_use
from s02_tool_use import Extension, Harness, Tool
from s06_context_compact import CompactionConfig, Compactor
from s06_context_compact.history import CLEARED
from s06_context_compact.summary import SUMMARY_SYSTEM
from s06_context_compact.tokens import estimate_tokens

CONFIG = AgentConfig(model="claude-test")


class DumpInput(BaseModel):
    n: int
    tag: str = "x"


def dump(args, ctx):
    """`n` lines of 40 characters: a tool output of a size the test chooses."""
    return "\n".join(f"{args.tag} line {i:05d} " + "." * 26 for i in range(args.n))


DUMP = Tool("dump", "Print n lines.", DumpInput, dump)


class Recorder(Extension):
    """Counts events, and keeps a copy of the history as it was when PreCompact fired."""

    def __init__(self):
        self.events = Counter()
        self.before_compaction: list[list[dict]] = []
        self.data: list[dict] = []

    def on_event(self, agent, event, data):
        self.events[event] += 1
        if event == "PreCompact":
            self.data.append(data)
            self.before_compaction.append(copy.deepcopy(agent.messages))


def session(tmp_path, script, **config):
    model = ScriptedModel(script)
    recorder, compactor = Recorder(), Compactor(CompactionConfig(**config))
    agent = Harness(model, CONFIG, tmp_path, tools=[DUMP], extensions=[recorder, compactor])
    return agent, model, compactor, recorder


def rewritten_at(calls: list[dict]) -> list[int]:
    """The requests that changed a message the request before had sent (a prompt-cache miss each)."""
    return [i for i, (prev, cur) in enumerate(zip(calls, calls[1:], strict=False), 1)
            if cur["messages"][: len(prev["messages"])] != prev["messages"]]


# --- clearing ---------------------------------------------------------------------------------


def test_old_results_are_cleared_in_one_step_per_crossing_not_every_turn(tmp_path):
    # each result is ~600 tokens; after a clearing the context needs ~5 turns to pass 50% again
    script = [tool_use("dump", n=55, tag=f"r{i}") for i in range(20)] + [text("done")]
    agent, model, compactor, _ = session(tmp_path, script, budget=10_000)
    agent.run("dump a lot")
    model.assert_done()
    assert compactor.n_compactions == 0 and 2 <= compactor.n_clearings <= 4
    changed = rewritten_at(model.calls)
    assert len(changed) == compactor.n_clearings  # 21 requests; earlier messages changed only then
    assert all(later - earlier >= 4 for earlier, later in zip(changed, changed[1:], strict=False))
    results = [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]
    assert [r["content"] == CLEARED for r in results[-3:]] == [False, False, False]  # keep_results=3
    assert sum(r["content"] == CLEARED for r in results) >= 10
    assert all(estimate_tokens(call) < 10_000 for call in model.calls)


def test_above_the_threshold_a_minimum_gain_keeps_rewrites_rare(tmp_path):
    # a big prompt keeps the context above 50% even after clearing; without a minimum gain every
    # turn then clears the one result that just left the kept window: a cache miss on every request
    counts = {}
    for rewrite_at_least in (0.1, 0):
        script = [tool_use("dump", n=55, tag=f"r{i}") for i in range(20)] + [text("done")]
        agent, model, compactor, _ = session(tmp_path, script, budget=10_000, rewrite_at_least=rewrite_at_least)
        agent.run("read this: " + "lorem ipsum " * 1000)
        assert len(rewritten_at(model.calls)) == compactor.n_clearings
        counts[rewrite_at_least] = compactor.n_clearings
    assert counts[0] >= 15 and counts[0.1] <= counts[0] // 2


def test_a_clearing_saves_the_complete_transcript_first(tmp_path):
    script = [tool_use("dump", n=55, tag=f"r{i}") for i in range(8)] + [text("done")]
    agent, model, compactor, _ = session(tmp_path, script, budget=10_000)
    agent.run("dump a lot")
    assert compactor.n_clearings == 1
    [transcript] = (tmp_path / ".harness" / "transcripts").glob("*.jsonl")
    lines = transcript.read_text(encoding="utf-8").splitlines()
    saved = [json.loads(line) for line in lines]
    assert saved[0]["content"][0]["text"] == "dump a lot"
    assert CLEARED not in transcript.read_text(encoding="utf-8")  # the originals, before clearing
    assert "r0 line 00054" in saved[2]["content"][0]["content"]
    assert (tmp_path / ".harness" / ".gitignore").read_text(encoding="utf-8") == "*\n"


# --- summary compaction -----------------------------------------------------------------------


def test_auto_compaction_summarises_the_old_part_and_keeps_the_tail(tmp_path):
    script = [tool_use("dump", n=100, tag="a"), tool_use("dump", n=100, tag="b"),
              text("SUMMARY: dumped a and b."), text("done")]
    agent, model, compactor, recorder = session(
        tmp_path, script, budget=2_000, clear_at=1.0, compact_at=0.8, keep_messages=2)
    assert agent.run("dump twice") == "done"
    model.assert_done()
    before, summary_call, after = model.calls[1], model.calls[2], model.calls[3]
    # the summary request: its own system prompt, no tools, one user message, valid by itself
    assert summary_call["system"] == SUMMARY_SYSTEM and "tools" not in summary_call
    assert [m["role"] for m in summary_call["messages"]] == ["user"] and check_request(summary_call) == []
    assert "dump twice" in summary_call["messages"][0]["content"][0]["text"]
    # the next request: the summary first, then the tail verbatim (the b pair), smaller than before
    assert "SUMMARY: dumped a and b." in after["messages"][0]["content"][0]["text"]
    assert after["messages"][1:3] == recorder.before_compaction[0][3:5]
    uncompacted = after | {"messages": recorder.before_compaction[0]}
    assert len(after["messages"]) < len(uncompacted["messages"])
    assert estimate_tokens(after) < estimate_tokens(uncompacted) - 500
    assert len(before["messages"]) == 3
    assert recorder.events["PreCompact"] == 1 and recorder.data == [{"trigger": "auto", "focus": None}]
    assert recorder.events["SideModelCall"] == 1  # the summary call, past every wrapper, announced for a meter
    # the transcript: one JSON line per message of the history as it was before compaction
    [transcript] = (tmp_path / ".harness" / "transcripts").glob(f"{compactor.session}-*.jsonl")
    lines = transcript.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == recorder.before_compaction[0]


def test_the_compact_tool_schedules_and_the_next_request_is_compacted(tmp_path):
    script = [tool_use("dump", n=5), tool_use("compact", focus="the dump sizes"),
              text("SUMMARY: one dump of 5 lines."), text("done")]
    agent, model, compactor, recorder = session(tmp_path, script, keep_messages=2)
    agent.run("dump then compact")
    model.assert_done()
    assert "Instructions for this summary: the dump sizes" in model.calls[2]["messages"][0]["content"][0]["text"]
    after = model.calls[3]["messages"]
    assert [m["role"] for m in after] == ["user", "assistant", "user"]
    assert after[1]["content"][0]["name"] == "compact"  # the call being answered stays with its result
    assert after[2]["content"][0]["content"].startswith("Compaction scheduled")
    assert recorder.data == [{"trigger": "manual", "focus": "the dump sizes"}]
    assert compactor.n_compactions == 1


def test_the_summary_message_carries_the_focus_the_recent_files_and_the_plan(tmp_path):
    class Planner(Extension):  # anything with a `todos` list is a plan (duck typing)
        todos = [{"content": "Fix the median", "status": "completed"},
                 {"content": "Add a test", "status": "in_progress"}]

    from s02_tool_use.wiring import TOOLS

    (tmp_path / "a.py").write_text("print('a')\n" * 200, encoding="utf-8")
    script = [tool_use("read_file", path="a.py"), text("read it"), text("SUMMARY")]
    model = ScriptedModel(script)
    compactor = Compactor(CompactionConfig(keep_messages=1))
    agent = Harness(model, CONFIG, tmp_path, tools=TOOLS, extensions=[Planner(), compactor])
    agent.run("read a.py")
    assert compactor.compact(agent, "manual", "keep the plan")
    first = agent.messages[0]["content"][0]["text"]
    assert "Instructions given for this summary: keep the plan" in first
    assert "Files read or changed recently (read them again before relying on their content): a.py" in first
    assert "- [completed] Fix the median\n- [in_progress] Add a test" in first
    assert ".harness/transcripts/" in first
    assert [m["role"] for m in agent.messages] == ["user", "assistant"]  # the final answer kept verbatim


def test_budget_zero_means_no_automatic_rewrites(tmp_path):
    script = [tool_use("dump", n=300, tag=f"r{i}") for i in range(4)] + [text("done")]
    agent, model, compactor, _ = session(tmp_path, script, budget=0, spill_chars=0)
    agent.run("dump")
    assert compactor.n_clearings == compactor.n_compactions == 0 and rewritten_at(model.calls) == []


def test_auto_compaction_is_skipped_when_the_old_part_is_too_small(tmp_path):
    # one giant recent result: over the threshold, but summarising the tiny old part would not help
    script = [tool_use("dump", n=400), text("done")]
    agent, model, compactor, _ = session(tmp_path, script, budget=4_000, spill_chars=0, keep_messages=2)
    agent.run("dump")
    model.assert_done()  # no summary request was made
    assert compactor.n_compactions == 0


def test_context_use_is_unknown_until_a_request_then_the_api_count_plus_what_came_since(tmp_path):
    agent, model, compactor, _ = session(tmp_path, [text("one"), text("two")], budget=50_000)
    assert compactor.context_use(agent) is None  # the system prompt and tools are not measured yet
    agent.run("first")
    tokens, budget = compactor.context_use(agent)
    sent = estimate_request(model.calls[0])  # what the scripted model counted of the first request
    assert budget == 50_000 and tokens == sent + estimate_tokens(agent.messages) - estimate_tokens(model.calls[0]["messages"])
    agent.run("second " * 400)
    grown = compactor.context_use(agent)[0]
    assert grown > tokens + 400
    agent.messages[-1]["content"][0]["text"] += " more" * 400  # the last message changed in place
    assert compactor.context_use(agent)[0] > grown + 300


def test_for_subagent_gives_a_fresh_compactor_with_the_same_settings():
    parent = Compactor(CompactionConfig(budget=1234, keep_results=7))
    parent.n_clearings = 3
    child = parent.for_subagent()
    assert isinstance(child, Compactor) and child is not parent
    assert child.config == parent.config and child.n_clearings == 0 and child.meter is not parent.meter
    assert child.tools()[0].run.__self__ is child  # its `compact` tool schedules on the child


@pytest.mark.parametrize("empty", [[], [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]])
def test_manual_compaction_with_nothing_to_compact_leaves_the_history(tmp_path, empty):
    agent = Harness(ScriptedModel([]), CONFIG, tmp_path, extensions=[Compactor()])
    agent.messages = copy.deepcopy(empty)
    assert agent.extensions[0].compact(agent, "manual") is False
    assert agent.messages == empty


def test_a_subagent_compacts_its_own_context_with_its_own_compactor(tmp_path):
    from s01_agent_loop.cli import Session, parse_args
    from s06_context_compact.wiring import CHAPTER, build

    (tmp_path / "a.txt").write_text("alpha\n" * 500, encoding="utf-8")
    model = ScriptedModel([
        tool_use("Task", description="read a.txt", prompt="Read a.txt twice, compact, then report."),
        tool_use("read_file", path="a.txt"), tool_use("read_file", path="a.txt"), tool_use("compact"),
        text("SUMMARY: a.txt read twice, 500 lines of alpha."),
        text("a.txt has 500 lines of alpha."),
        text("The subagent says a.txt has 500 lines."),
    ])
    session = Session(model, CONFIG, tmp_path, None, parse_args(CHAPTER, []), interactive=False)
    parent = build(session)
    assert parent.run("how long is a.txt?") == "The subagent says a.txt has 500 lines."
    model.assert_done()
    summary_call = next(call for call in model.calls if call["system"] == SUMMARY_SYSTEM)
    after = model.calls[model.calls.index(summary_call) + 1]["messages"]
    assert "SUMMARY: a.txt read twice" in after[0]["content"][0]["text"]
    assert Compactor.of(parent).n_compactions == 0  # the parent's context was not touched
    transcripts = list((tmp_path / ".harness" / "transcripts").glob("*.jsonl"))
    assert len(transcripts) == 1 and not transcripts[0].name.startswith(Compactor.of(parent).session)


def test_a_resumed_session_keeps_the_meters_count_and_a_compaction_the_model_asked_for(tmp_path):
    def interrupted(args, ctx):
        raise KeyboardInterrupt  # Ctrl-C, then the user quits: the compaction never ran

    stop = Tool("stop", "Is interrupted.", DumpInput, interrupted)
    model = ScriptedModel([message(tool_use("compact", focus="the sizes"), tool_use("stop", n=1))])
    compactor = Compactor(CompactionConfig(keep_messages=1))
    agent = Harness(model, CONFIG, tmp_path, tools=[stop], extensions=[compactor])
    with pytest.raises(KeyboardInterrupt):
        agent.run("compact, then stop " + "x" * 4000)
    compactor.meter.record(agent.request(), SimpleNamespace(input_tokens=1234))
    state = json.loads(json.dumps(compactor.session_state(agent)))  # as saved

    resumed_model = ScriptedModel([text("SUMMARY: one compaction asked for."), text("done")])
    again = Compactor(CompactionConfig(keep_messages=1))
    resumed = Harness(resumed_model, CONFIG, tmp_path, tools=[stop], extensions=[again])
    resumed.resume(copy.deepcopy(agent.messages), {"Compactor": state})
    assert again.meter.tokens(resumed) == compactor.meter.tokens(agent) and again.meter.measured
    resumed.run("go on")
    resumed_model.assert_done()
    assert again.n_compactions == 1 and "the sizes" in json.dumps(resumed_model.calls[0])
